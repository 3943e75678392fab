"""Offline text measurement shared by the connectors' ``validate``."""

from __future__ import annotations

import re

import regex

URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
HASHTAG_RE = re.compile(r"(?:^|(?<=[^\w&/]))#(\w*[^\W\d_]\w*)", re.UNICODE)

_TRAILING_PUNCTUATION = ".,:;!?)]}'\""
_GRAPHEME = regex.compile(r"\X")


def grapheme_length(text: str) -> int:
    """User-perceived characters: extended grapheme clusters (Unicode UAX #29)."""
    return len(_GRAPHEME.findall(text))


def extract_urls(text: str) -> list[str]:
    """URLs with an explicit scheme, without trailing sentence punctuation."""
    return [match.rstrip(_TRAILING_PUNCTUATION) for match in URL_RE.findall(text)]


def hashtags(text: str) -> list[str]:
    return HASHTAG_RE.findall(text)


def replace_urls(text: str, placeholder: str) -> str:
    """``text`` with every URL replaced by ``placeholder`` (trailing punctuation kept)."""

    def substitute(match: re.Match[str]) -> str:
        url = match.group(0)
        stripped = url.rstrip(_TRAILING_PUNCTUATION)
        return placeholder + url[len(stripped) :]

    return URL_RE.sub(substitute, text)


def compose(text: str, link: str | None) -> str:
    """Text with the link appended on its own line unless the text already contains it."""
    if not link or link in text:
        return text
    return f"{text.rstrip()}\n\n{link}" if text.strip() else link
