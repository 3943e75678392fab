"""Heilmittelwerbegesetz (HWG) and MBO-Ä § 27 patterns (compliance.md §1.2).

Only clear-cut patterns block (guaranteed success, no side effects, before/after for aesthetic
procedures); the rest warn for a medical/legal reviewer. A pattern preceded by a negation in
the same sentence ("keine Behandlung ist ohne Nebenwirkungen") does not count.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from app.compliance.engine.findings import Severity
from app.compliance.engine.text import Sentence


@dataclass(frozen=True, slots=True)
class Rule:
    rule: str
    severity: Severity
    message: str
    patterns: tuple[re.Pattern[str], ...]
    negatable: bool = True
    needs: re.Pattern[str] | None = None
    """A second pattern that must occur in the same sentence (e.g. treatment context)."""


def _p(*sources: str) -> tuple[re.Pattern[str], ...]:
    """One alternation per rule: a single scan of the text instead of one per phrase."""
    return (re.compile("|".join(f"(?:{s})" for s in sources), re.IGNORECASE),)


_TREATMENT = re.compile(
    r"\b(?:erfolg\w*|ergebnis\w*|heilung|geheilt|schmerzfrei|behandlung\w*|therapie\w*|op\b|"
    r"operation\w*|eingriff\w*|wirk\w*|methode|verfahren|kur\b|abnehm\w*|straff\w*|jünger|"
    r"haut|falten|implantat\w*|laser\w*|botox|filler|hyaluron\w*|spritze\w*|präparat\w*|"
    r"mittel\b|results?|success\w*|cure\w*|outcome\w*|treatment\w*|surgery|procedure\w*|"
    r"therap\w*|pain-?free|weight loss|wrinkles?|skin|injections?|remedy|medication|works?)",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:kein\w*|nicht|nie|niemals|niemand|no|not|never|cannot|can't|don't|doesn't|won't|"
    r"nothing|none|ausschließen)\b[^.!?]*$",
    re.IGNORECASE,
)
_AESTHETIC = re.compile(
    r"\b(?:\w*straffung|brustvergrößerung|brustverkleinerung|fettabsaugung|liposuktion|botox|"
    r"botulinum\w*|filler|hyaluron\w*|nasenkorrektur|rhinoplastik|facelift|lidkorrektur|"
    r"faltenbehandlung|ästhetisch\w*|schönheits-?op|schönheitschirurgie|lippenaufspritzung|"
    r"bauchdeckenstraffung|haartransplantation|liposuction|rhinoplasty|tummy tuck|"
    r"breast (?:augmentation|lift|reduction)|nose job|eyelid surgery|lip filler|"
    r"cosmetic surgery|aesthetic\w*|body contouring)\b",
    re.IGNORECASE,
)
_LISTED = re.compile(
    r"(?:krebs|karzinom|tumor|leukämie|lymphom|melanom|sarkom|sucht|abhängigkeit|"
    r"tuberkulose|hepatitis|hiv|masern|covid|corona|syphilis|cholera|typhus|keuchhusten|"
    r"präeklampsie)|\b(?:cancer|carcinoma|tumou?r|leuka?emia|lymphoma|melanoma|"
    r"addiction|alcoholism|tuberculosis|hepatitis|hiv|measles|covid(?:-19)?|syphilis)\b",
    re.IGNORECASE,
)
_PROMOTION = re.compile(
    r"\b(?:behandeln|behandelt|therapieren|heilen|heilt|bekämpfen|besiegen|besiegt|befreien|"
    r"loswerden|hilft gegen|helfen gegen|hilft bei|wirkt gegen|therapie gegen|mittel gegen|"
    r"unsere? (?:neue |innovative |moderne )?(?:therapie|behandlung|methode)|wir bieten|"
    r"bieten wir|jetzt (?:termin|behandeln)|treat|treats|cure|cures|beat|fight|eliminate|"
    r"our (?:new |innovative )?(?:treatment|therapy|program)|we offer|get rid of)\b",
    re.IGNORECASE,
)
_RX_DRUGS = re.compile(
    r"\b(?:botox|botulinumtoxin|ozempic|wegovy|semaglutid\w*|mounjaro|tirzepatid\w*|saxenda|"
    r"liraglutid\w*|viagra|sildenafil|cialis|tadalafil|finasterid\w*|propecia|isotretinoin|"
    r"roaccutan\w*|accutane|diazepam|valium|tavor|lorazepam|zolpidem|zopiclon|ambien|xanax|"
    r"alprazolam|ritalin|methylphenidat\w*|adderall|tramadol|tilidin|oxycodon\w*|fentanyl|"
    r"morphin\w*|medizinal-?cannabis|cannabis auf rezept|antibiotik\w*|antibiotics?|"
    r"cortison\w*|kortison\w*|testosteron\w*|hormontherapie)\b",
    re.IGNORECASE,
)
_RX_PROMO = re.compile(
    r"\b(?:jetzt|bei uns|wir bieten|bieten wir|erhältlich|bekommen|verschreiben|verordnen|"
    r"termin|buchen|angebot|aktion|rabatt|ab \d+|€|euro|abnehmen mit|mit \w+ zum|"
    r"get|offer|offering|available|book|ask for|try|discount|prescribe|now)\b",
    re.IGNORECASE,
)

RULES: tuple[Rule, ...] = (
    Rule(
        "hwg.guaranteed_success",
        "block",
        "§ 3 Satz 2 Nr. 2a HWG: Erfolg wird als sicher dargestellt – Erfolgsversprechen streichen.",
        _p(
            r"\b(?:erfolgs|heilungs|geld-zurück-)garantie\b",
            r"\b100\s?%\s?(?:erfolg\w*|wirksam\w*|heilung\w*|sicher\w*|success\w*|effective|"
            r"results?|guaranteed|zufrieden\w*|schmerzfrei)",
            r"\bsicherer? erfolg\b",
            r"\b(?:heilung|erfolg|ergebnis\w*|wirkung) (?:ist |sind )?garantiert\b",
            r"\bgarantiert (?:schmerzfrei|erfolgreich|geheilt|wirksam|sichtbar\w*|dauerhaft\w*|"
            r"jünger|schlank\w*|\w+ (?:ergebnis\w*|erfolg\w*))",
            r"\bguaranteed (?:results?|success|cure|outcome\w*|to (?:work|cure|heal|succeed))",
            r"\b(?:results?|success|cure|satisfaction) guaranteed\b",
            r"\bgarantiert\b",
            r"\bguarantee[sd]?\b",
        ),
        needs=_TREATMENT,
    ),
    Rule(
        "hwg.no_side_effects",
        "block",
        "§ 3 Satz 2 Nr. 2b HWG: Behauptung, es gebe keine Nebenwirkungen oder Risiken – "
        "Aussage streichen, über Risiken sachlich informieren.",
        _p(
            r"\b(?:ohne|frei von|keine(?:rlei)?) (?:jegliche |jede |irgendwelche )?"
            r"(?:nebenwirkungen|risiken|risiko)\b",
            r"\bnebenwirkungsfrei\w*",
            r"\brisikofrei\w*|\brisikolos\w*",
            r"\b(?:völlig|absolut|komplett|ganz|100\s?%) (?:ungefährlich|harmlos|sicher|"
            r"risikolos|nebenwirkungsfrei)\b",
            r"\bno (?:side[- ]effects|risks?)\b",
            r"\b(?:side[- ]effect|risk)[- ]free\b",
            r"\bfree (?:of|from) (?:side[- ]effects|risks?)\b",
            r"\bwithout (?:any )?(?:side[- ]effects|risks?)\b",
            r"\b(?:completely|totally|100\s?%|perfectly|absolutely) (?:safe|harmless)\b",
        ),
    ),
    Rule(
        "hwg.efficacy_claim",
        "warn",
        "§ 3 Satz 2 Nr. 1 HWG: Wirkung wird überhöht dargestellt – nur belegte Wirkungen "
        "nennen, Formulierung abschwächen.",
        _p(
            r"\b(?:therapie|behandlung|methode|verfahren|operation|eingriff|mittel|präparat|"
            r"kur|anwendung|programm)\s+(?:\w+\s+){0,2}(?:heilt|heilen|beseitigt|besiegt)\b",
            r"\b(?:heilt|heilen|beseitigt|beseitigen)\s+(?:\w+\s+){0,3}(?:sicher|immer|"
            r"vollständig|dauerhaft|endgültig|zuverlässig|für immer|jede[nrs]?|alle)\b",
            r"\bwirkt (?:immer|sofort|bei jedem|bei allen|garantiert|zuverlässig)\b",
            r"\bhilft (?:immer|jedem|allen|garantiert|sofort)\b",
            r"\b(?:wundermittel|wunderheilung|wundertherapie|durchbruch in der heilung)\b",
            r"\bendgültig (?:geheilt|schmerzfrei|befreit)\b",
            r"\bnie wieder (?:schmerzen|rückenschmerzen|kopfschmerzen|migräne)\b",
            r"\b(?:cures?|heals?|eliminates?)\s+(?:\w+\s+){0,3}(?:for good|forever|permanently|"
            r"completely|every time|always|all)\b",
            r"\b(?:our|this|the) (?:treatment|therapy|method|procedure|remedy)\s+(?:\w+\s+){0,2}"
            r"(?:cures|heals)\b",
            r"\b(?:always works|works every time|works for everyone|miracle cure|never again)\b",
        ),
    ),
    Rule(
        "hwg.remote_treatment_ad",
        "warn",
        "§ 9 HWG: Werbung für Fernbehandlung – nur zulässig, wenn kein persönlicher Kontakt "
        "nötig ist; Aussage prüfen lassen.",
        _p(
            r"\b(?:diagnose|befundung|behandlung|krankschreibung|au|rezept|therapie)\s+"
            r"(?:per|über|via|im|bequem per)\s+(?:chat|whatsapp|video|app|telefon|e-?mail|"
            r"internet|online|messenger)",
            r"\b(?:online-?diagnose|ferndiagnose|fernbehandlung|krankschreibung online|"
            r"online-?krankschreibung|au online|rezept online|online-?rezept)\b",
            r"\bohne (?:arztbesuch|praxisbesuch|wartezimmer)\b",
            r"\b(?:online|remote|virtual) (?:diagnosis|prescriptions?|sick notes?)\b",
            r"\b(?:diagnos(?:is|ed)|prescriptions?|sick notes?|treatment)\s+(?:via|over|by|through)\s+"
            r"(?:chat|whatsapp|video|app|phone|e-?mail|text|the internet)\b",
            r"\bget diagnosed online\b|\bwithout (?:seeing|visiting) a doctor\b",
        ),
    ),
    Rule(
        "hwg.rx_drug_ad",
        "warn",
        "§ 10 HWG: Werbung für verschreibungspflichtige Arzneimittel gegenüber Laien – "
        "Produktnamen streichen oder sachlich informieren.",
        (_RX_DRUGS,),
        negatable=False,
        needs=_RX_PROMO,
    ),
    Rule(
        "hwg.expert_endorsement",
        "warn",
        "§ 11 Abs. 1 Satz 1 Nr. 2 HWG: Werbung mit Empfehlungen von Ärzten, Fachleuten oder "
        "Prominenten – Empfehlung streichen.",
        _p(
            r"\b(?:chefarzt|chefärztin|oberarzt|oberärztin|ärzte|ärztinnen|arzt|ärztin|experten|"
            r"expertinnen|professor\w*|prof\.|dr\.\s?\w+|apotheker\w*|promi\w*|prominente\w*|"
            r"stars?|influencer\w*|zahnärzte|dermatologen)\s+(?:\w+\s+){0,2}(?:empfiehlt|"
            r"empfehlen|rät zu|raten zu|schwört auf|schwören auf|setzt auf|vertrauen auf)\b",
            r"\b(?:von|vom) (?:ärzten|ärztinnen|experten|dermatologen|zahnärzten|apothekern|"
            r"chefarzt|professoren) (?:empfohlen|getestet|geprüft)\b",
            r"\b(?:ärztlich|dermatologisch|klinisch) empfohlen\b",
            r"\b(?:doctors?|physicians?|experts?|dermatologists?|dentists?|celebrities|"
            r"celebrity|stars?|dr\.\s?\w+)\s+(?:\w+\s+){0,2}(?:recommends?|swears? by|trusts?|"
            r"endorses?)\b",
            r"\b(?:doctor|physician|dermatologist|expert|celebrity)[- ](?:recommended|approved|"
            r"endorsed|tested)\b",
            r"\brecommended by (?:doctors|physicians|experts|dermatologists|dentists|\d+\s?%)",
        ),
        negatable=False,
    ),
    Rule(
        "hwg.fear_appeal",
        "warn",
        "§ 11 Abs. 1 Satz 1 Nr. 7 HWG: Angst wird geschürt (Gesundheit leide ohne die "
        "Behandlung) – sachlich formulieren.",
        _p(
            r"\bwer (?:\w+\s+){0,6}nicht\b[^.!?]{0,60}\b(?:riskiert|gefährdet|setzt \w+ aufs "
            r"spiel|spielt mit)\b",
            r"\b(?:riskieren|gefährden) sie (?:nicht )?(?:ihre|ihr) (?:gesundheit|leben)\b",
            r"\bbevor es zu spät ist\b",
            r"\bohne (?:\w+\s+){0,3}(?:drohen|riskieren sie|droht)\b",
            r"\b(?:ihre|deine) gesundheit (?:leidet|ist in gefahr)\b",
            r"\b(?:don'?t|do not) risk your (?:health|life)\b",
            r"\bbefore it'?s too late\b",
            r"\bif you don'?t\b[^.!?]{0,60}\b(?:you risk|you could die|you will regret|"
            r"risk your)\b",
            r"\byour health (?:is at risk|will suffer|suffers)\b",
        ),
        negatable=False,
    ),
    Rule(
        "hwg.testimonial",
        "warn",
        "§ 11 Abs. 1 Satz 1 Nr. 11 HWG: Dank- oder Empfehlungsschreiben von Patienten in der "
        "Werbung – nicht irreführend einsetzen, im Zweifel streichen.",
        _p(
            r"\"[^\"]{0,200}\b(?:dank|endlich|wieder|geholfen|empfehle|empfehlen|beste|"
            r"wunderbar|neues leben|thanks to|changed my life|i feel|i can|finally|recommend|"
            r"best|saved my life|gerettet)\b[^\"]{0,200}\"",
            r"\b(?:sagt|sagte|berichtet|schreibt|erzählt) (?:unsere? )?(?:patient\w*|kundin|kunde)\b",
            r"\b(?:says|said|writes) (?:our )?(?:patient|client)\b",
            r"\b(?:patientenstimmen?|kundenstimmen?|erfahrungsberichte?|testimonials?|"
            r"patient reviews?)\b",
            r"⭐{4,}|★{4,}|\b5 sterne\b|\b5[- ]star\b",
        ),
        negatable=False,
    ),
    Rule(
        "hwg.children_target",
        "warn",
        "§ 11 Abs. 1 Satz 1 Nr. 12 HWG: Werbung richtet sich an Kinder unter 14 – "
        "an Eltern oder Erwachsene richten.",
        _p(
            r"\b(?:hallo|hey|liebe|hi) (?:kids|kinder)\b",
            r"\b(?:frag|fragt) (?:deine|eure) (?:eltern|mama|papa)\b",
            r"\b(?:ask|tell) your (?:parents|mom|mum|dad)\b",
            r"\b(?:hey|hi|hello) kids\b",
            r"\bfür (?:alle )?kids\b|\bfor (?:all )?kids\b",
        ),
        negatable=False,
    ),
    Rule(
        "hwg.lottery",
        "warn",
        "§ 11 Abs. 1 Satz 1 Nr. 13 HWG: Gewinnspiel oder Verlosung im Zusammenhang mit "
        "Heilmittelwerbung – prüfen lassen, Bezug zu Behandlungen vermeiden.",
        _p(
            r"\b(?:gewinnspiel\w*|verlosung\w*|verlosen|zu gewinnen|gewinnen sie|mitmachen und "
            r"gewinnen|giveaway|give-away|raffle|sweepstakes?|prize draw|win an? |win free)\b",
        ),
        negatable=False,
    ),
    Rule(
        "hwg.samples",
        "warn",
        "§ 11 Abs. 1 Satz 1 Nr. 14/15 HWG: Abgabe von Mustern oder Proben – nicht bewerben.",
        _p(
            r"\b(?:gratis|kostenlose?n?|freie?)[- ]?(?:produkt)?probe(?:n|packung\w*)?\b",
            r"\b(?:gratisprobe\w*|probepackung\w*|warenprobe\w*|musterpackung\w*|"
            r"ärztemuster|proben zum mitnehmen)\b",
            r"\bfree (?:samples?|trial packs?|starter packs?)\b",
        ),
        negatable=False,
    ),
    Rule(
        "hwg.superlative_comparison",
        "warn",
        "MBO-Ä § 27 Abs. 3: anpreisende oder vergleichende Werbung (Superlativ, Vergleich mit "
        "anderen) – sachlich formulieren.",
        _p(
            r"\b(?:die |der |das )?beste[nrs]? (?:\w+\s+)?(?:klinik\w*|krankenhaus|krankenhäuser|"
            r"ärzt\w*|arzt|chirurg\w*|behandlung\w*|versorgung|praxis|zentrum|spezialist\w*|"
            r"team)\b",
            r"\b(?:nr\.?|nummer|no\.?|number)\s?(?:1|eins|one)\b",
            r"\bbesser als (?:andere|alle|jede|jedes|die anderen|die konkurrenz|herkömmliche\w*|"
            r"\w*kliniken|\w*krankenhäuser|\w*praxen)\b",
            r"\bbetter than (?:other|any|all|the rest|the competition|traditional|conventional)\b",
            r"\bbest (?:\w+\s+)?(?:hospital|clinic|doctors?|surgeons?|care|treatment|team)\b",
            r"\b(?:einzigartig\w*|unschlagbar\w*|unübertroffen\w*|unrivall?ed|unbeatable)\b",
        ),
        negatable=False,
    ),
)

_MESSAGES = {rule.rule: rule.message for rule in RULES}

CASE_HISTORY: tuple[str, Severity, str] = (
    "hwg.case_history",
    "warn",
    "§ 11 Abs. 1 Satz 1 Nr. 3 HWG: Krankengeschichte in der Werbung – nicht irreführend, "
    "abstoßend oder zur Selbstdiagnose verleitend darstellen; ärztlich prüfen lassen.",
)
_CASE_HISTORY_TEXT = re.compile(
    r"\b(?:krankengeschichte|patientengeschichte|fallgeschichte|fallbericht|leidensweg|"
    r"case (?:history|study|report)|patient (?:story|journey)|(?:his|her) journey)\b",
    re.IGNORECASE,
)
BEFORE_AFTER: tuple[str, Severity, str] = (
    "hwg.before_after",
    "block",
    "§ 11 Abs. 1 Satz 3 HWG: Vorher-Nachher-Vergleich für einen ästhetischen Eingriff – "
    "unzulässig, Vergleich entfernen.",
)
_BEFORE_AFTER = re.compile(
    r"\b(?:vorher[- /]*(?:und|&|-|/)?[- /]*nachher|vorher-nachher\w*|before[- /]*(?:and|&|-|/)"
    r"[- /]*after|before-after|b/a)\b",
    re.IGNORECASE,
)
LISTED_DISEASE = (
    "hwg.listed_disease",
    "§ 12 HWG (Anlage A): Werbung für die Behandlung von Krebs, Sucht- oder meldepflichtigen "
    "Infektionskrankheiten gegenüber Laien – sachlich informieren, nicht bewerben.",
)
CHILDREN_CATEGORIES = frozenset({"children", "kids", "kinder"})
AESTHETIC_CATEGORIES = frozenset({"aesthetic", "aesthetics", "ästhetik"})
PATIENT_STORY_CATEGORIES = frozenset({"patient_story"})


@dataclass(frozen=True, slots=True)
class HwgFinding:
    rule: str
    severity: Severity
    message: str
    start: int | None
    end: int | None


def _sentence_of(sentences: list[Sentence], pos: int) -> Sentence:
    index = bisect_right([s.start for s in sentences], pos) - 1
    return sentences[max(0, index)]


def check(text: str, sentences: list[Sentence], category: str | None) -> list[HwgFinding]:
    found: list[HwgFinding] = []
    for rule in RULES:
        taken: list[tuple[int, int]] = []
        for pattern in rule.patterns:
            for m in pattern.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                sent = _sentence_of(sentences, m.start())
                if rule.needs is not None and not rule.needs.search(text, sent.start, sent.end):
                    continue
                if rule.negatable and _NEGATION.search(text, sent.start, m.start()):
                    continue
                taken.append((m.start(), m.end()))
                found.append(HwgFinding(rule.rule, rule.severity, rule.message, m.start(), m.end()))
    # § 12: treatment promotion + a listed disease in the same sentence
    section3 = any(
        f.rule in {"hwg.efficacy_claim", "hwg.guaranteed_success", "hwg.no_side_effects"}
        for f in found
    )
    disease_sentences = {id(_sentence_of(sentences, m.start())): m for m in _LISTED.finditer(text)}
    for sent in sentences:
        disease = disease_sentences.get(id(sent))
        if disease is None:
            continue
        promo = _PROMOTION.search(text, sent.start, sent.end)
        if (
            disease
            and promo
            and not re.search(
                r"früherkennung|vorsorge|screening|prevention|awareness|informieren|information|"
                r"vortrag|talk|webinar|selbsthilfe",
                text[sent.start : sent.end],
                re.IGNORECASE,
            )
        ):
            rule_id, message = LISTED_DISEASE
            found.append(
                HwgFinding(
                    rule_id,
                    "block" if section3 else "warn",
                    message,
                    min(disease.start(), promo.start()),
                    max(disease.end(), promo.end()),
                )
            )
    cat = (category or "").lower()
    rule_id, severity, message = CASE_HISTORY
    if cat in PATIENT_STORY_CATEGORIES:
        found.append(HwgFinding(rule_id, severity, message, None, None))
    else:
        for m in _CASE_HISTORY_TEXT.finditer(text):
            found.append(HwgFinding(rule_id, severity, message, m.start(), m.end()))
    if cat in CHILDREN_CATEGORIES and not any(f.rule == "hwg.children_target" for f in found):
        found.append(
            HwgFinding("hwg.children_target", "warn", _MESSAGES["hwg.children_target"], None, None)
        )
    if cat in AESTHETIC_CATEGORIES or _AESTHETIC.search(text):
        rule_id, severity, message = BEFORE_AFTER
        for m in _BEFORE_AFTER.finditer(text):
            found.append(HwgFinding(rule_id, severity, message, m.start(), m.end()))
    return found
