"""Normalisation with an offset map, sentences and tokens.

The detectors work on a normalised copy of the text (Unicode NFKC, typographic quotes and
dashes folded, zero-width characters dropped); every span they produce is mapped back to the
original text through ``Normalised.original_span``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\t": " ",
    }
)
_DROP = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


@dataclass(frozen=True, slots=True)
class Normalised:
    """The normalised text; ``origin[i]`` is the index in the original text of the character
    that produced normalised character ``i`` (``origin[len(text)]`` is the original length)."""

    original: str
    text: str
    origin: tuple[int, ...]
    origin_end: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin_end[end - 1]


def normalise(original: str) -> Normalised:
    folded = original.translate(_FOLD)
    if (
        len(folded) == len(original)
        and not any(ch in folded for ch in _DROP)
        and unicodedata.is_normalized("NFKC", folded)
    ):
        n = len(original)
        return Normalised(original, folded, tuple(range(n + 1)), tuple(range(1, n + 1)))
    chars: list[str] = []
    origin: list[int] = []
    origin_end: list[int] = []
    i = 0
    n = len(original)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(original[j]):
            j += 1
        unit = original[i:j]
        if unit in _DROP:
            i = j
            continue
        out = unicodedata.normalize("NFKC", unit.translate(_FOLD)).translate(_FOLD)
        for ch in out:
            chars.append(ch)
            origin.append(i)
            origin_end.append(j)
        i = j
    origin.append(n)
    return Normalised(original, "".join(chars), tuple(origin), tuple(origin_end))


# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    """dr prof med dipl hr fr frl str zi stat nr tel geb jg ca bzw vgl evtl ggf inkl u z b
    mr mrs ms st no dept approx jan feb mär märz apr jun jul aug sep sept okt oct nov dez dec
    fam pd univ priv doz ing mag sr jr vs etc usw abs art""".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*(?=\s)|\n+")
_WORD_BEFORE = re.compile(r"(\w+)\W*$")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int


def sentences(text: str) -> list[Sentence]:
    """Sentence spans; a full stop after an abbreviation, an initial or an ordinal day
    (``16. Februar``) does not end a sentence."""
    spans: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group().startswith("."):
            before = _WORD_BEFORE.search(text, max(0, m.start() - 20), m.start())
            word = before.group(1) if before else ""
            nxt = text[m.end() : m.end() + 2].lstrip()
            if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            if word.isdigit() and (not nxt or not nxt[0].isupper() or len(word) <= 2):
                continue
        if m.end() > start:
            spans.append(Sentence(start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append(Sentence(start, len(text)))
    return spans or [Sentence(0, len(text))]


TOKEN = re.compile(r"\w+(?:['-]\w+)*")


@dataclass(frozen=True, slots=True)
class Token:
    """A word: letters/digits joined by hyphens or apostrophes (``Brackmann-Soltau``)."""

    text: str
    lower: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.group().lower(), m.start(), m.end()) for m in TOKEN.finditer(text)]
