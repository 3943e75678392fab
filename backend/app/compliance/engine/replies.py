"""Reply rules: a reply must not confirm (or deny) that someone is a patient (FEAT-3), and
must not give individual medical advice (FEAT-11)."""

from __future__ import annotations

import re

_POSS_DE = r"(?:(?-i:Ihr|Ihre|Ihrem|Ihren|Ihrer|Ihres)|dein|deine|deinem|deinen|deiner|deines)"
_CARE_NOUNS_DE = (
    r"(?:\w*aufenthalt\w*|behandlung|\w+behandlung|operation|\w+operation|op|\w+-op|eingriff\w*|"
    r"untersuchung\w*|befund\w*|akte|krankenakte|patientenakte|unterlagen|entlassung|aufnahme|"
    r"zimmer|bett|station|therapie|diagnose|arztbrief\w*|entlassbrief\w*|entlassungsbrief\w*|"
    r"laborwerte\w*|blutwerte\w*|werte|röntgen\w*|mrt|ct|medikation|medikamente\w*|genesung|reha|"
    r"narkose|wunde|naht|chemo\w*|dialyse|geburt|entbindung|kaiserschnitt\w*|nachsorge|"
    r"nachuntersuchung|bestrahlung\w*|biopsie|befundbericht|krankschreibung|schmerzmittel|"
    r"infusion|verband|gips|katheter)"
)
_POSS_EN = r"(?:your|ur)"
_CARE_NOUNS_EN = (
    r"(?:stay|hospital stay|surgery|\w+ surgery|operation|procedure|admission|discharge\w*|"
    r"discharge (?:papers|letter|summary)|treatment|care|chart|records?|medical records?|"
    r"(?:test|lab|scan|blood|biopsy) results|results|labs?|scan|x-?rays?|mri|ct scan|biopsy|"
    r"diagnosis|room|bed|ward|recovery|chemo\w*|therapy|rehab|delivery|c-section|birth|"
    r"follow-up|er visit|hospital visit|last visit|visit with dr\.?|appointment with dr\.?|"
    r"prescription|medications?|meds|stitches|cast|iv|infusion|test for)"
)
_CONFIRM = [
    re.compile(rf"\b{_POSS_DE}\s+(?:\w+\s+)?{_CARE_NOUNS_DE}\b", re.IGNORECASE),
    re.compile(rf"\b{_POSS_EN}\s+(?:\w+(?:'s)?\s+)?{_CARE_NOUNS_EN}\b", re.IGNORECASE),
    re.compile(
        r"\b(?:wir\s+)?(?:können|kann|könnten|dürfen)\s+(?:Ihnen\s+|dir\s+)?(?:bestätigen|"
        r"versichern|mitteilen),?\s+dass",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:ist|liegt|befindet sich|sind|war|lag)\s+(?:\w+\s+){0,2}(?:bei uns|hier)\s+"
        r"(?:in Behandlung|stationär|aufgenommen|Patient\w*|auf (?:der|Station))",
        re.IGNORECASE,
    ),
    re.compile(r"\bbei uns in Behandlung\b", re.IGNORECASE),
    re.compile(
        r"\b(?:ist|liegt|befindet sich)\s+(?:noch\s+|weiterhin\s+|seit \w+\s+)?bei uns\s*[.!,;]",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:Sie|du|dich|sich)\b[^.!?]{0,40}\bbei uns\b[^.!?]{0,40}\b(?:wohlgefühlt|"
        r"gut aufgehoben|versorgt|behandelt|operiert|entbunden|gelegen|waren|geboren|"
        r"aufgenommen|entlassen)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:nach|vor|während|seit)\s+(?:der|dem|Ihrer|Ihrem|deiner|deinem)\s+(?:OP|Operation|"
        r"Entlassung|Behandlung|Chemo\w*|Reha|Aufnahme|Eingriff)\b[^.!?]*\b(?:Ihnen|Sie|dir|du|"
        r"Ihr\w*|dein\w*)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:es\s+)?(?:Ihnen|dir)\s+(?:\w+\s+){0,3}(?:wieder\s+)?(?:besser|gut)\s+geht\b",
        re.IGNORECASE,
    ),
    re.compile(r"\bas (?:our|a) patient\b|\ba patient (?:of ours|here|with us)\b", re.IGNORECASE),
    re.compile(
        r"\bwhile you were (?:here|with us|in (?:the )?hospital|admitted|in our care)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bwe(?:'ve| have)?\s+(?:reviewed|checked|looked at|looked into|pulled|found|got|have|"
        r"received|sent|forwarded|emailed|mailed)\s+(?:your|his|her)\s+(?:\w+(?:'s)?\s+)?"
        r"(?:chart|records?|file|results|notes|scans?|labs?|discharge)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bwe(?:\s+can|'re able to|\s+are able to)?\s+confirm(?:ed)?\b(?!\s+receipt)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:is|was|are|were)\s+(?:still\s+|currently\s+|now\s+|not\s+|no longer\s+)*"
        r"(?:with us|admitted|in (?:our|the) (?:hospital|care|icu|ward)|a patient)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:wir|we)\b[^.!?]{0,30}\b(?:helfen konnten|could help|were able to help)\b[^.!?]{0,30}\b(?:your|Ihr\w*|dein\w*|Ihnen|dir|you)\b",
        re.IGNORECASE,
    ),
]


# In text written all in lower case, "ihre" can be the polite "Ihre" (your).
_LOWER_CONFIRM = re.compile(
    rf"\b(?:ihr|ihre|ihrem|ihren|ihrer|ihres)\s+(?:\w+\s+)?{_CARE_NOUNS_DE}\b"
)


def confirms_patient(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in _CONFIRM:
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    if not any(ch.isupper() for ch in text):
        spans.extend((m.start(), m.end()) for m in _LOWER_CONFIRM.finditer(text))
    return spans


_ADVICE = [
    re.compile(
        r"\bnehmen Sie\s+(?:\w+\s+){0,3}(?:\d+\s*(?:mg|ml|Tabletten?|Tropfen|Kapseln?|Hübe)|"
        r"Ibuprofen|Paracetamol|Aspirin|ASS|Novalgin|Metamizol|Antibiotik\w*|Cortison|Kortison)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:Sie sollten|du solltest|Sie müssen|du musst|setzen Sie|setz)\s+(?:\w+\s+){0,4}"
        r"(?:absetzen|erhöhen|reduzieren|verdoppeln|halbieren|einnehmen|nehmen|ab)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:das|es)\s+(?:klingt|hört sich|sieht)\s+(?:\w+\s+){0,2}(?:nach|an wie)\s+"
        r"(?:einer?[mn]?\s+)?(?:\w*infekt\w*|\w*entzündung|virus|grippe|migräne|allergie|"
        r"erkältung|bandscheibe\w*|hexenschuss|zerrung|verstauchung|magen-darm\w*|"
        r"gürtelrose|borreliose|blasenentzündung)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:Sie haben|du hast)\s+(?:wahrscheinlich|vermutlich|bestimmt|sicher|wohl)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:Ihre|deine) (?:Symptome|Beschwerden) (?:deuten|sprechen|klingen)\b", re.IGNORECASE
    ),
    re.compile(
        r"\b\d+\s*(?:mg|ml)\b[^.!?]{0,30}\b(?:täglich|am Tag|pro Tag|morgens|abends|daily|a day|per day|twice)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:you should|you need to|just|try to)\s+(?:\w+\s+){0,2}(?:take|stop taking|"
        r"increase|reduce|double|skip)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\btake\s+(?:\w+\s+){0,2}(?:\d+\s*(?:mg|ml|tablets?|pills?|capsules?)|ibuprofen|"
        r"tylenol|paracetamol|acetaminophen|aspirin|advil|antibiotics)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:it|that|this)\s+(?:sounds|looks|seems)\s+like\s+(?:you\s+have\s+)?(?:an?\s+)?"
        r"(?:\w*infection|virus|flu|cold|migraine|allergy|allergies|sprain|strain|\w+itis|"
        r"concussion|uti|shingles|reflux|slipped disc)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\byou (?:probably|likely|definitely|most likely) have\b", re.IGNORECASE),
    re.compile(r"\byour symptoms (?:suggest|sound|point)\b", re.IGNORECASE),
    re.compile(r"\b(?:Ihre|deine|your) (?:Dosis|dose|dosage)\b", re.IGNORECASE),
]


def individual_advice(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in _ADVICE:
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    return spans
