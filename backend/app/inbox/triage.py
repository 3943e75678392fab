"""Triage and sentiment of an inbound message by explainable German/English lexicon rules.

Offline and deterministic: the text is lower-cased, and each category has phrases (matched on
word boundaries, a trailing ``*`` allows any word ending). The most severe category that matches
wins, in the order of ``CATEGORY_ORDER``; every matched phrase is returned as a reason, so a
person can see why a thread was put where it is. Sentiment counts positive and negative cue
words. The priority combines both: emergency is always ``urgent``; otherwise the category's
base priority, one step up for negative sentiment or a sensitive (health data) message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.inbox.models import Priority, Sentiment, TriageCategory

C = TriageCategory
CATEGORY_ORDER: tuple[TriageCategory, ...] = (
    C.emergency,
    C.abuse,
    C.complaint,
    C.medical_question,
    C.appointment_request,
    C.job_inquiry,
    C.praise,
)

LEXICON: dict[TriageCategory, tuple[str, ...]] = {
    C.emergency: (
        # de
        "brustschmerz*", "kann nicht atmen", "nicht mehr atmen", "nicht atmen", "kaum atmen", "keine luft", "atemnot",
        "bewusstlos", "ohnmächtig", "herzinfarkt", "schlaganfall", "notfall", "blutet stark",
        "starke blutung", "krampfanfall", "suizid*", "selbstmord*", "umbringen", "nicht mehr leben",
        "vergiftung", "notarzt",
        # en
        "chest pain*", "can't breathe", "cannot breathe", "can not breathe", "not breathing", "unconscious",
        "heart attack", "stroke", "emergency", "bleeding heavily", "seizure", "suicid*",
        "kill myself", "overdose", "poisoning",
    ),
    C.abuse: (
        "idiot*", "arschloch", "scheiß*", "scheiss*", "drecks*", "verrecken", "wichser",
        "hurensohn", "halt die fresse", "vollidiot*", "fuck*", "asshole", "bitch", "moron*",
        "shut up", "go to hell", "stupid",
    ),
    C.complaint: (
        "beschwerde", "beschweren", "unzufrieden", "enttäuscht", "unfreundlich", "respektlos",
        "skandal*", "unverschämt", "katastrophe", "katastrophal", "stundenlang gewartet",
        "wartezeit", "niemand hat sich gekümmert", "schlechte erfahrung", "nie wieder",
        "complaint", "complain*", "disappointed", "unacceptable", "rude", "terrible", "awful",
        "worst", "waited for hours", "nobody cared", "disgrace*",
    ),
    C.medical_question: (
        "dosis", "dosierung", "nebenwirkung*", "symptom*", "diagnose", "ist das normal",
        "soll ich", "sollte ich", "welches medikament", "tabletten", "schmerzen",
        "was kann ich tun", "was tun bei", "ist das gefährlich", "befund", "blutwerte",
        "dose", "dosage", "side effect*", "symptoms", "diagnos*", "is it normal",
        "should i take", "which medication", "pills", "what should i do", "is it dangerous",
        "test results",
    ),
    C.appointment_request: (
        "termin*", "sprechstunde", "vereinbaren", "anmelden", "anmeldung", "überweisung",
        "appointment*", "book a", "booking", "schedule a visit", "consultation",
    ),
    C.job_inquiry: (
        "bewerbung", "bewerben", "offene stelle*", "freie stelle*", "ausbildung*", "praktikum", "jobs", "job",
        "stellenangebot*", "pflegekraft gesucht", "karriere", "job opening*", "apply", "career*",
        "vacanc*", "hiring", "internship",
    ),
    C.praise: (
        "danke*", "vielen dank", "super team", "tolles team", "toll", "großartig", "lob",
        "wunderbar", "sehr zufrieden", "herzlichen dank", "thank*", "great team", "amazing",
        "wonderful", "excellent", "grateful", "well done",
    ),
}  # fmt: skip

POSITIVE: tuple[str, ...] = (
    "danke*", "toll*", "super", "großartig*", "wunderbar*", "zufrieden", "freundlich*", "lieb*",
    "klasse", "hervorragend*", "thank*", "great", "amazing", "wonderful", "excellent", "kind",
    "happy", "grateful", "love*", "best",
)  # fmt: skip
NEGATIVE: tuple[str, ...] = (
    "schlecht*", "unzufrieden", "enttäuscht*", "unfreundlich*", "schlimm*", "furchtbar*",
    "katastroph*", "beschwer*", "wütend", "ärger*", "skandal*", "beschwerde", "nie wieder", "respektlos",
    "unverschämt", "leider", "angst", "bad", "terrible", "awful", "worst", "angry", "rude",
    "disappointed", "unacceptable", "horrible", "never again", "scared",
)  # fmt: skip
NEGATORS = ("nicht", "kein", "keine", "not", "no", "never", "nie")

BASE_PRIORITY: dict[TriageCategory, Priority] = {
    C.emergency: Priority.urgent,
    C.abuse: Priority.high,
    C.complaint: Priority.high,
    C.medical_question: Priority.high,
    C.appointment_request: Priority.normal,
    C.job_inquiry: Priority.normal,
    C.praise: Priority.low,
    C.other: Priority.normal,
}


def _pattern(phrase: str) -> re.Pattern[str]:
    body = re.escape(phrase.rstrip("*")).replace(r"\ ", r"\s+").replace("'", "['’]?")
    tail = r"\w*" if phrase.endswith("*") else r"\b"
    return re.compile(r"(?<!\w)" + body + tail)


def _compile(phrases: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [(p, _pattern(p)) for p in phrases]


_LEXICON = {category: _compile(phrases) for category, phrases in LEXICON.items()}
_POSITIVE = _compile(POSITIVE)
_NEGATIVE = _compile(NEGATIVE)


@dataclass(frozen=True)
class Triage:
    category: TriageCategory
    sentiment: Sentiment
    reasons: list[str] = field(default_factory=list)


def _matches(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> list[tuple[str, int]]:
    return [(p, m.start()) for p, rx in patterns for m in rx.finditer(text)]


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 20) : start].split()
    return any(word in NEGATORS for word in before[-2:])


def sentiment_of(text: str) -> tuple[Sentiment, list[str]]:
    lowered = text.lower()
    score = 0
    reasons = []
    for phrase, start in _matches(lowered, _POSITIVE):
        flip = _negated(lowered, start)
        score += -1 if flip else 1
        reasons.append(f"sentiment: {'nicht ' if flip else ''}{phrase}")
    for phrase, _start in _matches(lowered, _NEGATIVE):
        score -= 1
        reasons.append(f"sentiment: {phrase}")
    if score > 0:
        return Sentiment.positive, reasons
    if score < 0:
        return Sentiment.negative, reasons
    return Sentiment.neutral, reasons


def triage(text: str) -> Triage:
    """Category (most severe match), sentiment, and the matched phrases as reasons."""
    lowered = text.lower()
    category = C.other
    reasons: list[str] = []
    for candidate in CATEGORY_ORDER:
        found = sorted({p for p, _ in _matches(lowered, _LEXICON[candidate])})
        if found:
            if category is C.other:
                category = candidate
            reasons += [f"{candidate.value}: {p}" for p in found]
    if category is C.other and "?" in text:
        reasons.append("other: Frage ohne erkannte Kategorie")
    sentiment, sentiment_reasons = sentiment_of(text)
    return Triage(category, sentiment, reasons + sentiment_reasons)


def priority_for(category: TriageCategory, sentiment: Sentiment, *, sensitive: bool) -> Priority:
    base = BASE_PRIORITY[category]
    if base is Priority.urgent:
        return base
    if sentiment is Sentiment.negative or sensitive:
        base = list(Priority)[max(Priority.high.rank, base.rank - 1)]
    return base


def more_severe(a: TriageCategory, b: TriageCategory) -> TriageCategory:
    """The category that goes first (``other`` loses to every other)."""
    order = [*CATEGORY_ORDER, C.other]
    return a if order.index(a) <= order.index(b) else b
