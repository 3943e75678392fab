"""Names and other references to people.

A name is found by a cue (``Herr``/``Frau``/``Mr``, ``Patientin``, a greeting or a thank-you,
a relation word such as ``Ihr Vater``, an apposition like ``(81)`` or ``, born …``) or by the
first-name gazetteer. Each name is marked ``staff`` when a job title, an academic title, a
speaking verb or the organisation's staff list says it is a colleague; staff names never block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.compliance.engine.lexicon import (
    ACADEMIC,
    CARE_WORDS,
    COMMON_WORDS,
    FAMILY_CUES,
    HONORIFICS,
    INFORMAL_RELATIONS,
    NAME_LEAD_INS,
    PATIENT_CUES,
    POSSESSIVES,
    RELATIONS,
    SECOND_PERSON_POSSESSIVES,
    STAFF_TITLES,
    STAFF_VERBS,
)
from app.compliance.engine.names import FIRST_ALL, FIRST_AMBIGUOUS, FIRST_CORE, LAST_ALL
from app.compliance.engine.text import Token

NOT_NAME = (
    COMMON_WORDS
    | STAFF_TITLES
    | HONORIFICS
    | RELATIONS
    | CARE_WORDS
    | PATIENT_CUES
    | NAME_LEAD_INS
    | ACADEMIC
    | FAMILY_CUES
    | frozenset(
        """schön fürs dafür vielmals nochmal euch dir ihnen dich sooo sooooo leider gute
        besserung alles frohe frohes gesundes neues glückwunsch glückwünsche gratulation
        station zimmer intensiv kreißsaal notaufnahme kardiologie onkologie neurologie
        chirurgie geriatrie psychiatrie pädiatrie gynäkologie urologie orthopädie
        spendenkonto förderverein kinderklinik klinikum klinik krankenhaus hospital
        covid corona sepsis flu him them ihn ihm""".split()
    )
)
_NOT_SURNAME = (
    STAFF_TITLES
    | HONORIFICS
    | RELATIONS
    | ACADEMIC
    | PATIENT_CUES
    | frozenset(
        """der die das den dem des ein eine einer und oder mit von vom zu zur zum bei für
        doktor professor sie ihr ihre the and or with of for to a an""".split()
    )
)
_FILLERS = frozenset(
    """you to an our unsere unserer unseren unserem unser little kleine kleinen kleiner
    kleines dear liebe lieben lieber liebes new neue neuen neuer neu the a und and wir we
    say big huge""".split()
)
_PARTICLES = frozenset(
    "von van de der den du zu ten ter di da del della la le al el bin ibn".split()
)
_APPOSITION = re.compile(
    r"\s*(?:\(\s*(?:\*|geb\b|born\b|dob\b|\d{1,3}\s*\)|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}\.?\s?[A-Za-zä]+\s\d{4})"
    r"|,\s*(?:born\b|geb\.|geboren\b|\d{1,3}\s*,|\d{1,3}\s+(?:jahre|years|j\.)))",
    re.IGNORECASE,
)
_GREETINGS = frozenset(
    "hallo hi hey hej huhu liebe lieber liebes dear moin servus hello hiya geehrte geehrter grüß".split()
)
_SECOND_PERSON_VERB = re.compile(
    r"\b(?:Sie|du|you)\s+(?:sind|waren|lagen|liegen|bist|warst|lagst|are|were|stayed)\b"
)
_THIRD_PERSON = frozenset("er sie ihm ihn he she him".split())
_RELATION_ADJECTIVES = frozenset(
    """kleine kleinen kleiner kleinem lieber liebe lieben jüngste jüngsten älteste ältesten
    neugeborene neugeborenen little baby eldest youngest older younger newborn dear late
    verstorbene verstorbenen""".split()
)


_PATIENT_SERVICES = frozenset(
    """experience access advice advocate advocacy liaison services service relations safety
    transport portal representative representatives council forum panel voice partners
    journey day information education feedback fürsprecher fürsprecherin service-center
    services management""".split()
)
# A name followed by one of these is an organisation: "Mercy General", "St. Josef Hospital".
_ORG_AFTER = re.compile(
    r"\s+(?:General|Memorial|Hospital|Hospitals|Health|Healthcare|Medical|Clinic|Infirmary|"
    r"Foundation|Trust|Krankenhaus|Klinikum|Klinik|Kliniken|Hospiz|Stift|Stiftung|Center|Centre|"
    r"Zentrum|Apotheke|Pharmacy|Ambulanz|MVZ|Praxis|gGmbH|GmbH|e\.\s?V\.)\b"
)
_ORG_BEFORE = re.compile(r"\b(?:St\.|Sankt|Saint|Heilig-?\w*)\s*$")
_AGE_BEFORE = re.compile(
    r"\b\d{1,3}[- ](?:year-old|years-old|jährige[rn]?|jähriger|jährigen|Jährige[rn]?)\s+"
)
_NAMING = frozenset("namens named called".split())


@dataclass(slots=True)
class Name:
    start: int
    end: int
    cue: str
    """``honorific``, ``patient``, ``family``, ``greeting``, ``lead-in``, ``relation``,
    ``apposition`` or ``gazetteer``."""
    staff: bool = False


@dataclass(slots=True)
class Reference:
    """Something that points at a particular person other than a name: ``relation``
    (``Ihre Mutter``), ``second`` (a second-person possessive), ``third`` (``er``/``she``)."""

    start: int
    end: int
    kind: str


def _gap(text: str, a: Token, b: Token) -> str:
    return text[a.end : b.start]


def _namey(tok: Token, *, lower_ok: bool) -> bool:
    t = tok.text
    if not t[0].isalpha() or len(t) < 2 or tok.lower in NOT_NAME:
        return False
    if any(ch.isdigit() for ch in t):
        return False
    if t.isupper() and len(t) > 1:
        return False
    if t[0].isupper():
        return True
    return lower_ok and len(t) >= 3


def _surname_after_title(tok: Token) -> bool:
    """After Herr/Frau/Mr a capitalised word is a surname even if it is also a noun (Klein)."""
    t = tok.text
    return t[0].isupper() and t.isalpha() and not t.isupper() and tok.lower not in _NOT_SURNAME


def _extend(text: str, tokens: list[Token], j: int, *, lower: bool) -> int:
    """Index one past the last token of the name that starts at ``j``."""
    k = j + 1
    while k < len(tokens) and k - j < 4:
        gap = _gap(text, tokens[k - 1], tokens[k])
        if gap != " ":
            break
        tok = tokens[k]
        if (
            tok.lower in _PARTICLES
            and k + 1 < len(tokens)
            and tokens[k + 1].text[:1].isupper()
            and _gap(text, tok, tokens[k + 1]) == " "
        ):
            k += 1
            continue
        if tok.text[0].isupper() and _namey(tok, lower_ok=False):
            k += 1
            continue
        if lower and tok.text.islower() and tok.lower in LAST_ALL and tok.lower not in NOT_NAME:
            k += 1
            continue
        break
    return k


def _staff_before(tokens: list[Token], start_index: int, sentence_start: int) -> bool:
    k = start_index - 1
    seen = 0
    while k >= 0 and tokens[k].start >= sentence_start and seen < 6:
        low = tokens[k].lower
        if low in ("schwester", "sister"):
            return not (k > 0 and tokens[k - 1].lower in POSSESSIVES)
        if low in STAFF_TITLES or low in ACADEMIC:
            return True
        if low in _FILLERS or low in ("of", "im", "team", "des", "der", "die", "mit", "led", "by"):
            k -= 1
            seen += 1
            continue
        return False
    return False


def _staff_after(text: str, tokens: list[Token], end_index: int) -> bool:
    if end_index >= len(tokens):
        return False
    first = tokens[end_index]
    gap = text[tokens[end_index - 1].end : first.start]
    if gap == " " and first.lower in STAFF_VERBS:
        return True
    if gap.strip() in {",", "(", "-", ", ("}:
        k = end_index
        while k < len(tokens) and k < end_index + 4:
            low = tokens[k].lower
            if low in STAFF_TITLES or low in ACADEMIC:
                return True
            if low in _FILLERS or low in ("head", "of", "the", "der", "die"):
                k += 1
                continue
            break
    return False


def find_names(
    text: str,
    tokens: list[Token],
    sentence_start_of: list[int],
    *,
    blocked_positions: set[int],
    staff_names: frozenset[str] = frozenset(),
) -> list[Name]:
    """``sentence_start_of[i]`` is the start of the sentence holding token ``i``;
    ``blocked_positions`` are token starts already taken by health or ward terms."""
    names: list[Name] = []
    used: set[int] = set()
    n = len(tokens)

    def add(j: int, k: int, cue: str, staff: bool = False) -> None:
        if any(i in used for i in range(j, k)) or any(
            tokens[i].start in blocked_positions for i in range(j, k)
        ):
            return
        used.update(range(j, k))
        names.append(Name(tokens[j].start, tokens[k - 1].end, cue, staff))

    for i, tok in enumerate(tokens):
        low = tok.lower
        prev = tokens[i - 1].lower if i else ""
        # 1. Herr/Frau/Mr/Patientin/Familie + name (academic titles in between mark staff)
        if (low in HONORIFICS or low in PATIENT_CUES or low in FAMILY_CUES) and not (
            low in RELATIONS and prev in POSSESSIVES
        ):
            j, staff = i + 1, False
            while j < n and (tokens[j].lower in ACADEMIC or tokens[j].lower in HONORIFICS):
                staff = staff or tokens[j].lower in ACADEMIC
                j += 1
            if low in PATIENT_CUES and j < n and tokens[j].lower in _PATIENT_SERVICES:
                continue  # "Patient Experience team", "Patient Access Representative"
            if j < n and text[tok.end : tokens[j].start].strip(" .") == "":
                lower = tok.text.islower() and low in HONORIFICS
                if _namey(tokens[j], lower_ok=lower) or _surname_after_title(tokens[j]):
                    cue = (
                        "patient"
                        if low in PATIENT_CUES
                        else ("family" if low in FAMILY_CUES else "honorific")
                    )
                    add(j, _extend(text, tokens, j, lower=lower), cue, staff and cue != "patient")
            continue
        # 2. greetings, thanks, introductions
        if low in NAME_LEAD_INS:
            j, staff = i + 1, False
            while j < n and j < i + 6:
                lj = tokens[j].lower
                if lj in _FILLERS or lj in STAFF_TITLES or lj in ACADEMIC:
                    staff = staff or lj in STAFF_TITLES or lj in ACADEMIC
                    j += 1
                    continue
                break
            if j >= n or tokens[j].lower in HONORIFICS or tokens[j].lower in PATIENT_CUES:
                continue
            if text[tokens[j - 1].end : tokens[j].start].strip(" ,") != "":
                continue
            greeting = low in _GREETINGS
            cand = tokens[j]
            lower_ok = (
                greeting
                and cand.text.islower()
                and (
                    cand.lower in FIRST_ALL or text[cand.end : cand.end + 1] in {",", "!", "?", ""}
                )
            )
            if _namey(cand, lower_ok=lower_ok):
                add(j, _extend(text, tokens, j, lower=cand.text.islower()),
                    "greeting" if greeting else "lead-in", staff)  # fmt: skip
            continue
        # 3. relation word + name (Ihr Vater Monika Neumann, your husband Kwame)
        if low in RELATIONS and (prev in POSSESSIVES or low in INFORMAL_RELATIONS):
            j = i + 1
            if j < n and text[tok.end : tokens[j].start] in {" ", ", "}:
                cand = tokens[j]
                lower_ok = cand.text.islower() and cand.lower in FIRST_ALL
                if _namey(cand, lower_ok=lower_ok):
                    add(j, _extend(text, tokens, j, lower=lower_ok), "relation")
            continue
    # 4. vocative at the very start: "Oksana, deine IBAN …"
    if tokens and text[tokens[0].end : tokens[0].end + 1] in {",", "!"} and 0 not in used:
        if tokens[0].start == len(text) - len(text.lstrip()) and _namey(tokens[0], lower_ok=False):
            add(0, 1, "greeting")
    # 4b. an age before the name ("67-year-old Frank Delaney", "der 54-jährige Uwe Kramer")
    for m in _AGE_BEFORE.finditer(text):
        j = next((idx for idx, tk in enumerate(tokens) if tk.start >= m.end()), n)
        if j < n and _surname_after_title(tokens[j]) and tokens[j].lower not in STAFF_TITLES:
            k = j + 1
            while (
                k < n
                and k - j < 3
                and _gap(text, tokens[k - 1], tokens[k]) == " "
                and (_surname_after_title(tokens[k]) and tokens[k].lower not in COMMON_WORDS)
            ):
                k += 1
            add(j, k, "apposition")
    # 4c. "renate krüger heißt sie", "sie heißt anna", "her name's Margaret"
    for i, tok in enumerate(tokens):
        if tok.lower in ("heißt", "heisst") and i + 1 < n and tokens[i + 1].lower in ("sie", "er"):
            if i >= 2 and tokens[i - 2].lower in FIRST_ALL and tokens[i - 1].lower not in NOT_NAME:
                add(i - 2, i, "lead-in")
            elif i >= 1 and tokens[i - 1].lower in FIRST_ALL:
                add(i - 1, i, "lead-in")
        elif tok.lower in _NAMING and i + 1 < n and tokens[i + 1].lower in FIRST_ALL:
            if tokens[i + 1].lower not in NOT_NAME:
                j = i + 1
                add(j, _extend(text, tokens, j, lower=tokens[j].text.islower()), "lead-in")
    # 5. apposition: "Ruprecht Anzinger (81)", "Edna Pruitt (born …)", "Rosalind Achterberg, 52,"
    for i, tok in enumerate(tokens):
        if i in used or not _APPOSITION.match(text, tok.end):
            continue
        if not _namey(tok, lower_ok=False):
            continue
        j = i
        while (
            j > 0
            and i - j < 2
            and _gap(text, tokens[j - 1], tokens[j]) == " "
            and (_namey(tokens[j - 1], lower_ok=False) or tokens[j - 1].lower in _PARTICLES)
        ):
            j -= 1
        while j < i and tokens[j].lower in _PARTICLES:
            j += 1
        add(j, i + 1, "apposition")
    # 6. gazetteer
    for i, tok in enumerate(tokens):
        if i in used:
            continue
        base = tok.lower[:-2] if tok.lower.endswith("'s") else tok.lower
        if base != tok.lower and base in FIRST_CORE and tok.text[0].isupper():
            add(i, i + 1, "gazetteer")  # "Kieran's appointment"
            continue
        if (
            tok.lower in FIRST_AMBIGUOUS
            and tok.text[0].isupper()
            and i + 1 < n
            and _gap(text, tok, tokens[i + 1]) == " "
            and tokens[i + 1].lower in LAST_ALL
            and tokens[i + 1].lower not in NOT_NAME
            and tokens[i + 1].text[0].isupper()
        ):
            add(i, _extend(text, tokens, i + 1, lower=False), "gazetteer")  # "Frank Delaney"
            continue
        if tok.lower not in FIRST_ALL:
            continue
        if tok.text[0].isupper() and not tok.text.isupper():
            end = _extend(text, tokens, i, lower=False)
            if end > i + 1 or tok.lower in FIRST_CORE:
                add(i, end, "gazetteer")
        elif tok.text.islower() and len(tok.text) >= 4 and i + 1 < n:
            nxt = tokens[i + 1]
            if (
                _gap(text, tok, nxt) == " "
                and nxt.text.islower()
                and nxt.lower in LAST_ALL
                and nxt.lower not in NOT_NAME
            ):
                add(i, i + 2, "gazetteer")
    names[:] = [
        nm
        for nm in names
        if not _ORG_AFTER.match(text, nm.end)
        and not _ORG_BEFORE.search(text, max(0, nm.start - 12), nm.start)
    ]
    names.sort(key=lambda nm: nm.start)
    for name in names:  # ", Tom." at the end of a sentence addresses the reader
        if name.cue == "gazetteer" and re.fullmatch(
            r",\s?", text[max(0, name.start - 2) : name.start]
        ):
            if re.match(r"\s*(?:[.!?]|$)", text[name.end : name.end + 2]):
                name.cue = "greeting"
    starts = {t.start: idx for idx, t in enumerate(tokens)}
    ends = {t.end: idx for idx, t in enumerate(tokens)}
    staff_full = {s.lower() for s in staff_names}
    staff_last = {s.lower().split()[-1] for s in staff_names if s.split()}
    for name in names:
        if name.cue == "patient":
            continue
        first, last = starts[name.start], ends[name.end]
        value = text[name.start : name.end].lower()
        if (
            name.staff
            or _staff_before(tokens, first, sentence_start_of[first])
            or _staff_after(text, tokens, last + 1)
            or value in staff_full
            or (" " not in value and value in staff_last)
        ):
            name.staff = True
    return names


def references(text: str, tokens: list[Token]) -> list[Reference]:
    refs: list[Reference] = []
    for i, tok in enumerate(tokens):
        low = tok.lower
        prev = tokens[i - 1] if i else None
        base = low[:-2] if low.endswith("'s") else low
        if base in RELATIONS:
            if prev is not None and prev.lower in _RELATION_ADJECTIVES and i > 1:
                prev = tokens[i - 2]
            if prev is not None and (prev.lower in POSSESSIVES or prev.lower.endswith("'s")):
                refs.append(Reference(prev.start, tok.end, "relation"))
                continue
            if base in INFORMAL_RELATIONS:
                refs.append(Reference(tok.start, tok.end, "relation"))
                continue
        if low in SECOND_PERSON_POSSESSIVES and (not low.startswith("ihr") or tok.text[0] == "I"):
            refs.append(Reference(tok.start, tok.end, "second"))
        elif base in _THIRD_PERSON and (base != "sie" or tok.text == "sie"):
            refs.append(Reference(tok.start, tok.end, "third"))
    for m in _SECOND_PERSON_VERB.finditer(text):
        refs.append(Reference(m.start(), m.end(), "second"))
    return refs
