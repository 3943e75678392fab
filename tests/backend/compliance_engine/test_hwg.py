"""HWG rules (compliance.md §1.2, LAW-5): per rule >= 2 German and >= 1 English positive cases and
>= 2 negative cases; every message names its paragraph."""

from __future__ import annotations

import pytest
from compliance_engine.helpers import findings, rules

# rule -> (severity, positives [(text, category)], negatives [(text, category)])
CASES: dict[str, tuple[str, list[tuple[str, str | None]], list[tuple[str, str | None]]]] = {
    "hwg.efficacy_claim": (
        "warn",
        [
            ("Unsere neue Stoßwellentherapie heilt Ihre Rückenschmerzen dauerhaft.", None),
            ("Das Präparat wirkt immer – schon nach drei Tagen spüren Sie den Unterschied.", None),
            ("Nie wieder Migräne dank unserer Kopfschmerz-Sprechstunde!", None),
            ("Our laser treatment cures acne for good.", None),
        ],
        [
            ("Eine Schnittwunde heilt meist innerhalb von zwei Wochen von selbst.", None),
            ("Diabetes ist bisher nicht heilbar, aber gut behandelbar.", None),
            ("Physiotherapy can help many patients with back pain.", None),
        ],
    ),
    "hwg.guaranteed_success": (
        "block",
        [
            ("Mit unserer Methode ist Ihr Behandlungserfolg garantiert!", None),
            ("100 % Erfolg bei der Raucherentwöhnung – jetzt Termin buchen.", None),
            ("Heilung garantiert: unsere neue Rückentherapie.", None),
            ("Guaranteed results after just one session of our skin treatment!", None),
        ],
        [
            ("Sommerfest am Samstag: gute Laune garantiert!", None),
            ("Einen Behandlungserfolg kann niemand garantieren – wir beraten Sie ehrlich.", None),
            ("We cannot guarantee results, but we will explain every option.", None),
        ],
    ),
    "hwg.no_side_effects": (
        "block",
        [
            ("Unsere Faltenbehandlung ist völlig ohne Nebenwirkungen.", None),
            ("Die neue Laser-OP ist risikofrei und schmerzarm.", None),
            ("Sanft, sicher und absolut harmlos: die Kältetherapie.", None),
            ("Our new injection has no side effects at all!", None),
        ],
        [
            ("Zu Risiken und Nebenwirkungen fragen Sie Ihre Ärztin oder Ihren Apotheker.", None),
            ("Keine Behandlung ist ganz ohne Nebenwirkungen – wir klären Sie auf.", None),
            ("Every operation carries risks; our team explains them before surgery.", None),
        ],
    ),
    "hwg.remote_treatment_ad": (
        "warn",
        [
            ("Diagnose per WhatsApp: Foto schicken, Befund in 10 Minuten!", None),
            ("Krankschreibung online – ganz ohne Arztbesuch.", None),
            ("Get diagnosed online by our doctors in minutes.", None),
        ],
        [
            ("Unsere Videosprechstunde ersetzt keine Untersuchung vor Ort.", None),
            ("Termine können Sie online buchen.", None),
            ("Book your appointment online.", None),
        ],
    ),
    "hwg.rx_drug_ad": (
        "warn",
        [
            ("Abnehmen mit Ozempic – jetzt Beratungstermin in unserer Adipositas-Ambulanz!", None),
            ("Botox gegen Falten: bei uns ab 199 €.", None),
            ("Ask your doctor about Wegovy – now available at our weight clinic!", None),
        ],
        [
            ("Ibuprofen hilft bei leichten Schmerzen; fragen Sie in der Apotheke.", None),
            ("Antibiotika wirken nicht gegen Viren.", None),
            ("Vaccination protects you and others this winter.", None),
        ],
    ),
    "hwg.expert_endorsement": (
        "warn",
        [
            ("Chefarzt Dr. Weber empfiehlt unser Vitamin-D-Präparat.", None),
            ("Von Ärzten empfohlen: die neue Zahnpasta aus unserer Klinikapotheke.", None),
            ("Doctor recommended: our new joint supplement.", None),
        ],
        [
            ("Die STIKO empfiehlt die Grippeimpfung ab 60 Jahren.", None),
            ("Wir empfehlen, im Sommer ausreichend zu trinken.", None),
            ("Guidelines suggest 150 minutes of exercise per week.", None),
        ],
    ),
    "hwg.case_history": (
        "warn",
        [
            ("Frau K. erzählt, wie sie nach dem Unfall wieder laufen lernte.", "patient_story"),
            ("Seine Krankengeschichte zeigt, wie wichtig Früherkennung ist.", None),
            ("Read her patient story: from diagnosis to recovery.", None),
        ],
        [
            ("Tipps für den Winter: Hände waschen, lüften, impfen.", "health_tip"),
            ("Wir stellen unsere neue Notaufnahme vor.", None),
            ("Our new parking garage opens on Monday.", None),
        ],
    ),
    "hwg.fear_appeal": (
        "warn",
        [
            ("Wer jetzt nicht zur Vorsorge geht, riskiert sein Leben.", None),
            ("Handeln Sie, bevor es zu spät ist – unser Check-up wartet.", None),
            ("Don't risk your health – book our premium check-up today.", None),
        ],
        [
            ("Rauchen erhöht das Risiko für einen Herzinfarkt.", None),
            ("Früherkennung kann helfen, Krankheiten rechtzeitig zu behandeln.", None),
            ("Regular exercise lowers the risk of heart disease.", None),
        ],
    ),
    "hwg.testimonial": (
        "warn",
        [
            ('"Dank der neuen Hüfte kann ich endlich wieder tanzen!", sagt Patientin Erika.', None),
            ("Unsere Patientenstimmen: lesen Sie, was andere über uns sagen.", None),
            ('"This clinic changed my life," says patient Mark.', None),
        ],
        [
            ('"Wir haben 40 neue Betten", sagt Geschäftsführerin Meyer.', None),
            ("Die Kantine bietet ab Montag ein vegetarisches Menü.", None),
            ('"Visiting hours change on Monday," the team announced.', None),
        ],
    ),
    "hwg.children_target": (
        "warn",
        [
            ("Hallo Kinder! Mit unseren Vitamin-Gummibärchen werdet ihr stark.", None),
            ("Frag deine Eltern nach unserem Zahnputz-Set!", None),
            ("Hey kids, ask your parents about our fun allergy spray!", None),
        ],
        [
            ("Tipps für Eltern: Was tun bei Fieber?", None),
            ("Unsere Kinderklinik sucht Pflegefachkräfte.", None),
            ("Parents: our pediatric ER is open around the clock.", None),
        ],
    ),
    "hwg.lottery": (
        "warn",
        [
            ("Gewinnspiel: Wir verlosen drei Gesundheits-Checks!", None),
            ("Mitmachen und gewinnen – unsere Verlosung läuft bis Freitag.", None),
            ("Giveaway! Win a free teeth whitening session.", None),
        ],
        [
            ("Unser Team hat den Pflegepreis 2026 gewonnen.", None),
            ("Die Gewinner des Fotowettbewerbs stehen fest.", None),
            ("Our nurses won the regional care award.", None),
        ],
    ),
    "hwg.samples": (
        "warn",
        [
            ("Gratisproben unserer Wundsalbe gibt es am Infostand.", None),
            ("Kostenlose Proben zum Mitnehmen im Foyer!", None),
            ("Free samples of our new skin cream at the front desk.", None),
        ],
        [
            ("Für die Untersuchung benötigen wir eine Blutprobe.", None),
            ("Bitte bringen Sie die Urinprobe in die Ambulanz.", None),
            ("The lab needs a fresh blood sample.", None),
        ],
    ),
    "hwg.before_after": (
        "block",
        [
            ("Vorher/Nachher: So wirkt unsere Lidstraffung.", "aesthetic"),
            ("Sehen Sie selbst – Vorher-Nachher-Bilder unserer Brustvergrößerung.", None),
            ("Before and after: our liposuction results.", "aesthetic"),
        ],
        [
            ("Vorher/Nachher: So sah unser Neubau 2019 aus.", None),
            ("Before and after the renovation of our cafeteria.", "jobs"),
            ("Vor und nach der Hüft-OP: was Sie wissen sollten.", "health_tip"),
        ],
    ),
    "hwg.listed_disease": (
        "warn",
        [
            ("Unsere neue Therapie hilft gegen Lungenkrebs – jetzt Termin vereinbaren.", None),
            ("Wir behandeln Alkoholsucht mit unserem neuen Programm.", None),
            ("Our new program helps you beat addiction in 4 weeks.", None),
        ],
        [
            ("Wir informieren über Brustkrebs-Früherkennung.", None),
            ("Vortrag: Darmkrebs vorbeugen – was jeder wissen sollte.", None),
            ("Breast cancer awareness month starts today.", None),
        ],
    ),
    "hwg.superlative_comparison": (
        "warn",
        [
            ("Die beste Klinik für Ihre Knie-OP!", None),
            ("Nr. 1 in der Region für Herzchirurgie.", None),
            ("Best surgeons in the state – better than any other hospital.", None),
        ],
        [
            ("Wir wünschen Ihnen alles Gute und beste Genesung.", None),
            ("Vorbeugen ist besser als heilen.", None),
            ("Best wishes for the holidays from all of us!", None),
        ],
    ),
}

POSITIVES = [(rule, sev, text, cat) for rule, (sev, pos, _) in CASES.items() for text, cat in pos]
NEGATIVES = [(rule, text, cat) for rule, (_, _, neg) in CASES.items() for text, cat in neg]


class TestHwgRules:
    @pytest.mark.parametrize(("rule", "severity", "text", "category"), POSITIVES)
    def test_positive(self, rule: str, severity: str, text: str, category: str | None) -> None:
        found = [f for f in findings(text, category=category) if f.rule == rule]
        assert found, f"{rule} missed: {text}"
        assert found[0].severity == severity
        assert "HWG" in found[0].message or "MBO-Ä" in found[0].message
        assert "§" in found[0].message

    @pytest.mark.parametrize(("rule", "text", "category"), NEGATIVES)
    def test_negative(self, rule: str, text: str, category: str | None) -> None:
        assert rule not in rules(text, category=category), text

    def test_every_rule_has_enough_cases(self) -> None:
        for rule, (_, positives, negatives) in CASES.items():
            # language is judged by the test author: the last positive is English, the rest German
            assert len(positives) >= 3, rule
            assert len(negatives) >= 2, rule

    def test_case_history_covers_every_patient_story(self) -> None:
        found = findings("Ein ganz normaler Text ohne Besonderheiten.", category="patient_story")
        assert [f.rule for f in found] == ["hwg.case_history"]
        assert found[0].start is None

    def test_listed_disease_blocks_with_a_section_3_claim(self) -> None:
        text = "Unsere Therapie heilt Krebs garantiert und ohne Nebenwirkungen."
        severities = {f.rule: f.severity for f in findings(text)}
        assert severities["hwg.listed_disease"] == "block"

    def test_listed_disease_alone_warns(self) -> None:
        text = "Wir behandeln Darmkrebs in unserem zertifizierten Zentrum."
        assert rules(text)["hwg.listed_disease"] == "warn"
