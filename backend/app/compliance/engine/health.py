"""Health terms (diagnoses, procedures) and wards, rooms and beds."""

from __future__ import annotations

import re

from app.compliance.engine.hits import Hit
from app.compliance.engine.lexicon import data_lines
from app.compliance.engine.text import Token


def _de_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    inside = [line for line in data_lines("diagnoses_de.txt") if not line.startswith("=")]
    whole = [line[1:] for line in data_lines("diagnoses_de.txt") if line.startswith("=")]
    exclude = data_lines("exclusions_de.txt")
    return (
        re.compile("|".join(inside)),
        re.compile("(?:" + "|".join(whole) + ")"),
        re.compile("|".join(exclude)),
    )


_DE_INSIDE, _DE_WHOLE, _DE_EXCLUDE = _de_patterns()
_EN = re.compile(
    r"\b(?:" + "|".join(data_lines("diagnoses_en.txt")) + r")(?:e?s)?\b", re.IGNORECASE
)
_ALS = re.compile(r"\bALS\b")
# "Brustkrebs-Vorsorge" is about prevention; "Darmkrebs-OP" is about a person's operation.
_EN_GENERIC_AFTER = re.compile(
    r"\s*(?:awareness|prevention|screening|center|centre|clinic|unit|month|day|week|research|"
    r"foundation|society|care team|team|ward|risk|vaccine|vaccination|shot|season|program)\b",
    re.IGNORECASE,
)


def diagnoses(text: str, tokens: list[Token]) -> list[Hit]:
    hits: list[Hit] = []
    for token in tokens:
        low = token.lower
        if not low[0].isalpha():
            continue
        if _DE_WHOLE.fullmatch(low):
            if low == "sucht" and not token.text[0].isupper():
                continue  # "sucht" is also the verb
            hits.append(Hit("DIAGNOSIS", token.start, token.end))
            continue
        if _DE_INSIDE.search(low) and not _DE_EXCLUDE.search(low):
            hits.append(Hit("DIAGNOSIS", token.start, token.end))
    for m in _EN.finditer(text):
        if _EN_GENERIC_AFTER.match(text, m.end()):
            continue
        if any(h.start <= m.start() < h.end for h in hits):
            continue
        hits.append(Hit("DIAGNOSIS", m.start(), m.end()))
    hits.extend(Hit("DIAGNOSIS", m.start(), m.end()) for m in _ALS.finditer(text))
    return hits


_ARTICLE = (
    r"(?:(?:der|die|dem|den|da|the|our|unserer|unsere|unserem|his|her|your|Ihrer|deiner)\s+)?"
)
_UNIT = r"(?:station|stat\.|zimmer|zi\.?|bett|kreißsaal|ward|room|rm\.|bed|bay|suite)"
_UNIT_ID = r"(?:nr\.?\s*)?(?:\d{1,4}(?:\.\d{1,3})?[a-z]?|(?-i:[A-Z]\d{0,3}[a-z]?))\b"
_NUMBERED = re.compile(rf"\b{_UNIT}\s?{_UNIT_ID}", re.IGNORECASE)
_NAMED_UNITS = (
    r"intensivstation|intensiv|its|imc|intermediate[- ]care|stroke[- ]unit|kreißsaal|"
    r"wochenbettstation|wochenstation|wöchnerinnenstation|kinderstation|frühchenstation|"
    r"neugeborenenstation|neonatologie|palliativstation|isolierstation|normalstation|"
    r"entzugsstation|suchtstation|geschlossenen? station|aufwachraum|notaufnahme|zna|"
    r"schockraum|überwachungsstation|dialysestation|\w+station|"
    r"icu|nicu|picu|ccu|intensive care(?: unit)?|er|emergency room|emergency department|"
    r"maternity ward|labou?r and delivery|recovery room|operating room|psych ward|hospice|"
    r"coronary care(?: unit)?|high dependency(?: unit)?|hdu|acute medical unit|amu|a&e|"
    r"step-?down unit|(?:surgical|medical|cardiac|oncology|psychiatric|pediatric|paediatric|"
    r"children's|geriatric|maternity|stroke|neurology|cardiology|orthopa?edic|burns?|"
    r"rehab|rehabilitation|respiratory|renal|trauma|spinal|neonatal|dementia|"
    r"isolation|covid) (?:ward|unit|floor)|\d{1,2}\s?(?:west|east|north|south)"
)
_NAMED = re.compile(rf"\b{_ARTICLE}(?:{_NAMED_UNITS})\b", re.IGNORECASE)
_DEPARTMENTS = (
    r"kardiologie|onkologie|neurologie|chirurgie|unfallchirurgie|neurochirurgie|geriatrie|"
    r"psychiatrie|pädiatrie|kinderklinik|gynäkologie|geburtshilfe|urologie|orthopädie|"
    r"gastroenterologie|nephrologie|pneumologie|dermatologie|hämatologie|dialyse|"
    r"psychosomatik|reha|inneren|innere|neonatologie|onko|kardio|neuro|gyn|gyno|uro|ortho|"
    r"gastro|unfallchir|chir|psych|geri|päd|"
    r"cardiology|oncology|neurology|surgery|geriatrics|psychiatry|pediatrics|paediatrics|"
    r"maternity|obstetrics|urology|orthopa?edics|nephrology|rehab"
)
_LOCATIVE = re.compile(
    rf"\b(?:auf|in|zur|im|on|in|at|aufer|aufm|auffe|uff|uf|inner)\s+{_ARTICLE}(?:{_DEPARTMENTS})\b"
    r"(?!\s+(?:clinic|sprechstunde|ambulanz|praxis|team|conference|kongress))"
    r"(?:\s+(?:floor|ward|unit))?",
    re.IGNORECASE,
)
_COLLOQUIAL = re.compile(r"\b(?:auf|in|von)\s+(?:der|die|dem|da)\s+(\d{1,2}[a-zA-Z]?)\b")
_CAPITALS_ONLY = frozenset({"er", "its", "imc", "zna", "ccu", "hdu", "amu"})
_PREPOSITION_BEFORE = re.compile(
    r"\b(?:auf|in|von|zur)\s+(?:der|die|dem|da|d')?\s*$", re.IGNORECASE
)
_NOT_WARD_AFTER = re.compile(r"\s*(?:uhr|minuten|stunden|jahre|tage|wochen|%)", re.IGNORECASE)


def wards(text: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in _NUMBERED.finditer(text):
        if _NOT_WARD_AFTER.match(text, m.end()):
            continue
        hits.append(Hit("WARD_ROOM", m.start(), m.end(), "numbered"))
    for m in _NAMED.finditer(text):
        last = m.group().split()[-1]
        word = last.lower()
        if word in _CAPITALS_ONLY and last != word.upper():
            continue  # German "er" (he), English "its": only the capitals name a unit
        if word == "station":
            continue
        if word == "intensiv" and not _PREPOSITION_BEFORE.search(text, 0, m.start()):
            continue
        hits.append(Hit("WARD_ROOM", m.start(), m.end(), "named"))
    for m in _LOCATIVE.finditer(text):
        start = m.start() + len(m.group().split()[0]) + 1
        hits.append(Hit("WARD_ROOM", start, m.end(), "department"))
    for m in _COLLOQUIAL.finditer(text):
        if _NOT_WARD_AFTER.match(text, m.end()):
            continue
        start = m.start() + len(m.group().split()[0]) + 1
        hits.append(Hit("WARD_ROOM", start, m.end(), "code"))
    return _merge(hits)


def _merge(hits: list[Hit]) -> list[Hit]:
    hits.sort(key=lambda h: (h.start, -h.end))
    out: list[Hit] = []
    for hit in hits:
        if out and hit.start < out[-1].end:
            out[-1].end = max(out[-1].end, hit.end)
            continue
        out.append(hit)
    return out
