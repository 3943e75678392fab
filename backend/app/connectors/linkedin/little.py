"""LinkedIn's "little" text format for post commentary (platforms.md §4.2).

``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved; LinkedIn silently cuts a post at the first
unescaped one. We escape every reserved character except the ``#`` that starts a hashtag (so
``#Pflege`` stays a clickable hashtag); URLs are escaped too — an escaped character is plain text,
so the rendered URL is unchanged (UTM links carry ``_``)."""

from __future__ import annotations

import re

RESERVED = frozenset("\\|{}@[]()<>#*_~")
_HASHTAG_START = re.compile(r"#\w")
_MENTION = re.compile(r"@\[([^\]\\]*)\]\(urn:li:[\w:-]+\)")


def escape(text: str) -> str:
    """Plain text → little text that LinkedIn renders as exactly ``text``."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char in RESERVED and not (char == "#" and _HASHTAG_START.match(text, index)):
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def unescape(little: str) -> str:
    """Little text → the plain text it shows (escapes resolved, mentions as their names)."""
    out: list[str] = []
    index = 0
    while index < len(little):
        char = little[index]
        if char == "\\" and index + 1 < len(little):
            out.append(little[index + 1])
            index += 2
            continue
        mention = _MENTION.match(little, index) if char == "@" else None
        if mention is not None:
            out.append(mention.group(1))
            index = mention.end()
            continue
        out.append(char)
        index += 1
    return "".join(out)
