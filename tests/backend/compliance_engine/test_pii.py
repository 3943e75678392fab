"""Person and patient data (FEAT-2, PII-2…PII-8): identifiers with positives and hard
negatives per label, names only with patient context, allow-lists, spans in the original text."""

from __future__ import annotations

import re

import pytest
from compliance_engine.helpers import blocks, covered, findings, rules

from app.compliance.engine import AllowList
from app.compliance.engine.identifiers import kvnr_valid

# (rule, needle, text, kind)
POSITIVES = [
    # phone
    (
        "pii.phone",
        "0171 9071151",
        "Herr Albers, Ihre Frau bittet um Rückruf unter 0171 9071151.",
        "reply",
    ),
    (
        "pii.phone",
        "+49 160 5556677",
        "Die Tochter von Frau Ilić ist unter +49 160 5556677 erreichbar.",
        "reply",
    ),
    ("pii.phone", "0157-22334455", "ruf mich an 0157-22334455, meine mama liegt bei euch", "reply"),
    (
        "pii.phone",
        "(312) 555-0199",
        "Mrs. Faulkner's son asked us to call him at (312) 555-0199.",
        "reply",
    ),
    (
        "pii.phone",
        "07911 123456",
        "Hi Nell, your dad's mobile is 07911 123456 if the ward needs it.",
        "reply",
    ),
    # e-mail
    (
        "pii.email",
        "hanne.brock@gmx.de",
        "Der Befund ging an hanne.brock@gmx.de, Frau Brock.",
        "reply",
    ),
    ("pii.email", "j.okoro77@gmail.com", "We sent your results to j.okoro77@gmail.com.", "reply"),
    (
        "pii.email",
        "lisa_m@web.de",
        "Patientin Lisa M. (lisa_m@web.de) bedankt sich beim Team.",
        "post",
    ),
    # address
    (
        "pii.address",
        "Lerchenweg 4, 37083 Göttingen",
        "Frau Thiel aus dem Lerchenweg 4, 37083 Göttingen wurde gestern entlassen.",
        "post",
    ),
    (
        "pii.address",
        "Auf der Heide 12",
        "Die Rechnung geht an Ihre Adresse Auf der Heide 12, Herr Nolte.",
        "reply",
    ),
    (
        "pii.address",
        "88 Willow Street",
        "We mailed the forms to 88 Willow Street, Mr Abbott.",
        "reply",
    ),
    # insurance numbers: valid checksum, invalid checksum with context, spaced
    ("pii.insurance_number", "A000500015", "Ihre KVNR A000500015 haben wir gespeichert.", "reply"),
    ("pii.insurance_number", "X 110 411 675", "Versichertennummer: X 110 411 675", "reply"),
    ("pii.insurance_number", "M412305817", "Versichertennummer M412305817 (bitte prüfen)", "reply"),
    ("pii.insurance_number", "QHP-4471-0932", "Your member ID QHP-4471-0932 is on file.", "reply"),
    # case numbers
    ("pii.case_number", "2023-004711", "Fallnummer 2023-004711, Herr Petersen.", "reply"),
    ("pii.case_number", "77120394", "Patienten-ID: 77120394", "reply"),
    ("pii.case_number", "A12-993", "Please quote MRN A12-993 when you call.", "reply"),
    ("pii.case_number", "44718822", "We confirmed your admission, case 44718822.", "reply"),
    # IBAN (valid, spaced, lower-case and mistyped)
    (
        "pii.iban",
        "DE89 3704 0044 0532 0130 00",
        "Erstattung an DE89 3704 0044 0532 0130 00, Frau Roth.",
        "reply",
    ),
    (
        "pii.iban",
        "DE89370400440532013001",
        "Bitte überweisen Sie auf Konto DE89370400440532013001.",
        "reply",
    ),
    (
        "pii.iban",
        "de89 3704 0044 0532 0130 00",
        "meine iban ist de89 3704 0044 0532 0130 00",
        "reply",
    ),
    ("pii.iban", "GB33BUKB20201555555555", "Refund to IBAN GB33BUKB20201555555555.", "reply"),
    # date of birth
    ("pii.birthdate", "*3.5.41", "Herr Jansen (*3.5.41) wurde heute entlassen.", "post"),
    ("pii.birthdate", "Jg. 1941", "Oma Grete, Jg. 1941, ist wieder fit!", "post"),
    (
        "pii.birthdate",
        "03/05/1941",
        "Meet Walter, born 03/05/1941, our oldest marathon finisher after knee surgery.",
        "post",
    ),
    ("pii.birthdate", "12.08.1962", "Geburtsdatum 12.08.1962, Frau Lindemann.", "reply"),
    ("pii.birthdate", "7 May 1950", "Mr Oakes, date of birth 7 May 1950, please call us.", "reply"),
    # ward / room / bed tied to a person
    ("pii.ward_room", "Zi. 12", "Ihr Vater liegt in Zi. 12.", "reply"),
    ("pii.ward_room", "Stat. 4b", "Frau Marx ist auf Stat. 4b verlegt worden.", "reply"),
    ("pii.ward_room", "ITS", "Ihr Mann liegt noch auf der ITS.", "reply"),
    ("pii.ward_room", "3B", "meine Mutter liegt seit Montag auf der 3B", "reply"),
    ("pii.ward_room", "room 12", "Your wife is in room 12 on the maternity ward.", "reply"),
    ("pii.ward_room", "ICU", "Mr. Haines is still in the ICU.", "reply"),
    # diagnosis tied to a person
    (
        "phi.diagnosis",
        "Brustkrebs-OP",
        "Frau Engel hat ihre Brustkrebs-OP gut überstanden.",
        "post",
    ),
    ("phi.diagnosis", "Darmkrebs", "Ihr Vater wurde wegen Darmkrebs aufgenommen.", "reply"),
    ("phi.diagnosis", "Sepsis", "Herr Kühn kämpft seit Tagen mit einer Sepsis.", "post"),
    (
        "phi.diagnosis",
        "heart attack",
        "Meet Dolores Finch, who survived a heart attack last spring.",
        "post",
    ),
    ("phi.diagnosis", "pneumonia", "Your husband is being treated for pneumonia.", "reply"),
    # names with patient context (lower case, nickname, hyphenated, sentence start)
    (
        "pii.name",
        "Hinnerk Oltmanns",
        "Patient Hinnerk Oltmanns ist seit Montag auf Station 5.",
        "post",
    ),
    ("pii.name", "jolina", "hallo jolina, deine oma liegt auf zimmer 7", "reply"),
    ("pii.name", "Meyer-Lüdenscheidt", "Frau Meyer-Lüdenscheidt wurde heute operiert.", "post"),
    ("pii.name", "Bärbel", "Bärbel ist nach ihrem Schlaganfall wieder zu Hause.", "post"),
    ("pii.name", "Okonjo", "Mrs. Okonjo was discharged this morning.", "post"),
]

# (rule, text, kind): the rule must not block here
NEGATIVES = [
    ("pii.phone", "Im Notfall: 112. Ärztlicher Bereitschaftsdienst: 116117.", "post"),
    ("pii.phone", "Giftnotruf München: 089 19240 – rund um die Uhr.", "post"),
    ("pii.phone", "Unsere Zentrale erreichen Sie unter 030 450 50.", "post"),
    ("pii.phone", "Terminvergabe Ambulanz: 0421 555-2040 (Mo-Fr 8-16 Uhr).", "post"),
    ("pii.phone", "Questions? Call our hotline at 1-800-555-0100.", "post"),
    ("pii.phone", "Fallnummer 2022-522344 ist keine Telefonnummer, Herr Koch.", "reply"),
    ("pii.email", "Bewerbungen an karriere@klinikum-nord.de.", "post"),
    ("pii.email", "Lob und Kritik: feedback@st-marien.example", "post"),
    ("pii.email", "Questions? Email press@mercyhealth.org.", "post"),
    ("pii.address", "Sie finden uns in der Lessingstraße 12, 28203 Bremen.", "post"),
    ("pii.address", "Unser Klinikum in der Hauptstraße 5 ist barrierefrei.", "post"),
    ("pii.address", "Visit us at 200 Harbor Drive for our open day.", "post"),
    ("pii.insurance_number", "Bestellnummer B-2024-118 für den Flyer.", "post"),
    ("pii.insurance_number", "Die Postleitzahl 28203 gehört zu Bremen.", "post"),
    ("pii.case_number", "In case of emergency, dial 911.", "post"),
    ("pii.case_number", "Im Fall 2 der Fortbildung geht es um Hygiene.", "post"),
    ("pii.iban", "Spendenkonto Förderverein: DE12 2905 0101 0001 2345 67", "post"),
    ("pii.birthdate", "Tag der offenen Tür am 14.03.2026 ab 10 Uhr.", "post"),
    ("pii.birthdate", "Unser Haus wurde am 01.04.1887 eröffnet.", "post"),
    ("pii.birthdate", "Join Dr. Amara Osei for a talk on 5/14/2026.", "post"),
    ("pii.ward_room", "Unsere Station 4B wurde renoviert.", "post"),
    ("pii.ward_room", "Die Intensivstation sucht Pflegefachkräfte (m/w/d).", "post"),
    ("pii.ward_room", "Liebe Frau Sand, danke für Ihr Lob an das Team der Station 3!", "reply"),
    ("pii.ward_room", "Our new ICU opens with 24 beds.", "post"),
    ("phi.diagnosis", "Diabetes Typ 2: Bewegung hilft. Fragen Sie Ihre Hausärztin.", "post"),
    ("phi.diagnosis", "Dr. med. Jana Hofer erklärt, wie man einen Schlaganfall erkennt.", "post"),
    (
        "phi.diagnosis",
        "Unsere Patientinnen und Patienten mit Krebs werden interdisziplinär betreut.",
        "post",
    ),
    ("phi.diagnosis", "Heart health month: walking lowers your risk of a heart attack.", "post"),
    ("pii.name", "Oberärztin Dr. Katrin Vogel erklärt, wie ein Schlaganfall erkannt wird.", "post"),
    ("pii.name", "Pflegedirektor Markus Held begrüßt 48 neue Azubis.", "post"),
    ("pii.name", "Hallo Frau Demir, danke für Ihr Feedback! Wir geben es weiter.", "reply"),
    (
        "pii.name",
        "Ihre Ansprechpartnerin: Pflegedienstleitung Carola Wendisch, Tel. 0421 555-2040.",
        "post",
    ),
    (
        "pii.name",
        "Happy retirement to Sister Margit Obermaier after 38 years on our surgical ward!",
        "post",
    ),
]


class TestIdentifiers:
    @pytest.mark.parametrize(("rule", "needle", "text", "kind"), POSITIVES)
    def test_positive_blocks_and_covers_the_datum(
        self, rule: str, needle: str, text: str, kind: str
    ) -> None:
        assert covered(text, needle, rule, kind), (
            f"{rule} not on {needle!r}: {findings(text, kind)}"
        )  # type: ignore[arg-type]
        assert blocks(text, kind)  # type: ignore[arg-type]

    @pytest.mark.parametrize(("rule", "text", "kind"), NEGATIVES)
    def test_hard_negative_does_not_block(self, rule: str, text: str, kind: str) -> None:
        assert rules(text, kind).get(rule) != "block", findings(text, kind)  # type: ignore[arg-type]

    def test_every_identifier_label_has_positives_and_negatives(self) -> None:
        for rule in ("pii.phone", "pii.email", "pii.address", "pii.insurance_number",
                     "pii.case_number", "pii.iban", "pii.birthdate", "pii.ward_room",
                     "phi.diagnosis", "pii.name"):  # fmt: skip
            assert sum(p[0] == rule for p in POSITIVES) >= 3, rule
            assert sum(n[0] == rule for n in NEGATIVES) >= 1, rule

    def test_kvnr_check_digit(self) -> None:
        assert kvnr_valid("A", "000500015")
        assert kvnr_valid("X", "110411675")
        assert not kvnr_valid("A", "000500016")

    def test_kvnr_shape_alone_only_warns(self) -> None:
        assert rules("Code B123456789 für den Parkautomaten.").get("pii.insurance_number") == "warn"


class TestDecisionModel:
    def test_name_alone_never_blocks(self) -> None:
        assert not blocks("Wir gratulieren Hannah Kowalczyk zum Examen!")
        assert not blocks("Hi Darnell, thanks for reaching out!", "reply")

    def test_name_with_patient_context_blocks_on_the_name(self) -> None:
        text = "Hannah Kowalczyk wurde gestern auf der Kardiologie aufgenommen."
        assert covered(text, "Hannah Kowalczyk", "pii.name")

    def test_diagnosis_alone_never_blocks(self) -> None:
        assert not blocks("Sepsis erkennen: Fieber, schneller Puls, Verwirrtheit.")

    def test_staff_list_marks_a_name_as_staff(self) -> None:
        text = "Lea Brandes erklärt Angehörigen, wie ein Schlaganfall behandelt wird."
        staff = AllowList(staff_names=frozenset({"Lea Brandes"}))
        assert not blocks(text, allow=staff)

    def test_generic_plural_patients_are_not_a_person(self) -> None:
        assert not blocks("Unsere Patientinnen und Patienten mit Diabetes erhalten eine Schulung.")


class TestAllowList:
    def test_own_phone_number_passes(self) -> None:
        text = "Bei Fragen: Herr Lange erreicht Sie unter 0171 2233445."
        assert blocks(text)
        allow = AllowList(phones=frozenset({"+49 171 2233445"}))
        assert "pii.phone" not in rules(text, allow=allow)

    def test_own_email_domain_passes(self) -> None:
        text = "Ansprechpartner Jonas Wirth: j.wirth@klinikum-nord.de"
        allow = AllowList(emails=frozenset({"info@klinikum-nord.de"}))
        assert "pii.email" not in rules(text, allow=allow)

    def test_own_address_passes(self) -> None:
        text = "Adresse: Kastanienweg 9, 12345 Musterstadt"
        assert "pii.address" in rules(text)
        allow = AllowList(addresses=frozenset({"Kastanienweg 9, 12345 Musterstadt"}))
        assert "pii.address" not in rules(text, allow=allow)


class TestSpans:
    def test_spans_map_to_the_original_text(self) -> None:
        # zero-width space, no-break spaces, a combining umlaut and full-width digits
        text = "Herr\u00a0Ko\u200bch, Ihre Tochter liegt auf Zimmer ３１３ – Tel.\u00a00171\u00a09071151. Frau Mu\u0308ller auch."
        found = findings(text, "reply")
        spans = {f.rule: text[f.start : f.end] for f in found if f.start is not None}  # type: ignore[misc]
        assert spans["pii.ward_room"] == "Zimmer ３１３"
        assert spans["pii.phone"] == "0171\u00a09071151"
        names = [text[f.start : f.end] for f in found if f.rule == "pii.name"]  # type: ignore[misc]
        assert "Ko\u200bch" in names
        assert "Mu\u0308ller" in names

    def test_findings_are_sorted_with_whole_text_findings_last(self) -> None:
        found = findings(
            "Vorher/Nachher: Herr Stein nach seiner Knie-OP.", category="patient_story"
        )
        starts = [f.start for f in found]
        assert starts[-1] is None
        located = [s for s in starts if s is not None]
        assert located == sorted(located)

    def test_ruleset_version_is_date_like(self) -> None:
        from app.compliance.engine import RULESET_VERSION

        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.\d+", RULESET_VERSION)


class TestOffline:
    def test_works_with_sockets_disabled(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import importlib
        import socket
        import sys

        def refuse(*args: object, **kwargs: object) -> None:
            raise OSError("network access in the compliance engine")

        monkeypatch.setattr(socket, "socket", refuse)
        monkeypatch.setattr(socket, "create_connection", refuse)
        monkeypatch.setattr(socket, "getaddrinfo", refuse)
        for name in [m for m in sys.modules if m.startswith("app.compliance.engine")]:
            monkeypatch.delitem(sys.modules, name)
        engine = importlib.import_module("app.compliance.engine")
        found = engine.check_text(
            "Herr Koch, Ihre Tochter ist unter +49 30 640998 erreichbar, Zimmer 313. "
            "Mail: koch@gmail.com, IBAN DE89 3704 0044 0532 0130 00",
            kind="reply",
        )
        assert {f.rule for f in found} >= {"pii.phone", "pii.email", "pii.iban", "pii.name"}
