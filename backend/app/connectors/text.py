"""Offline text measurement shared by the connectors' ``validate``."""

from __future__ import annotations

import re
import unicodedata

URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
HASHTAG_RE = re.compile(r"(?:^|(?<=[^\w&/]))#(\w*[^\W\d_]\w*)", re.UNICODE)

_ZWJ = "\u200d"
_TRAILING_PUNCTUATION = ".,:;!?)]}'\""


def _extends(ch: str) -> bool:
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or ch == _ZWJ
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def grapheme_length(text: str) -> int:
    """User-perceived characters: combining marks, variation selectors, skin tones, tag
    sequences, ZWJ sequences and flag pairs count once. An approximation of UAX #29 that is
    exact for Latin/German text and common emoji; Hangul jamo and Indic conjuncts may count high.
    """
    text = unicodedata.normalize("NFC", text)
    count = 0
    previous = ""
    pending_flag = False
    for ch in text:
        if count and (_extends(ch) or previous == _ZWJ):
            previous = ch
            continue
        if _regional(ch):
            if pending_flag:
                pending_flag = False
                previous = ch
                continue
            pending_flag = True
        else:
            pending_flag = False
        if previous == "\r" and ch == "\n":
            previous = ch
            continue
        count += 1
        previous = ch
    return count


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
