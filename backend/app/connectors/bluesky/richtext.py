"""Pure Bluesky text helpers: grapheme counting, facets in UTF-8 byte offsets, record keys.

Bluesky counts post length in extended grapheme clusters (``app.bsky.feed.post`` ``text``:
300 graphemes and 3,000 bytes), and rich text (links, hashtags) is not detected by the server:
the client sends ``facets`` whose ``byteStart``/``byteEnd`` are offsets into the UTF-8 bytes of
the text. Hashtag detection follows the rules of Bluesky's own client (``@atproto/api`` RichText):
a ``#`` at the start or after whitespace, not only digits, trailing punctuation dropped, at most
64 characters.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import regex

from app.connectors.text import grapheme_length

MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
MAX_TAG_CHARS = 64

_URL = regex.compile(r"(?<![\w/.@-])https?://[^\s<>\"]+", regex.IGNORECASE)
_URL_TRAILING = ".,;:!?'\"”’»"
# Characters that end or may not start a tag besides whitespace (soft hyphen, joiners, keycap).
_TAG_STOP = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(
    rf"(?:^|(?<=\s))[#＃](?!\ufe0f)([^\s{_TAG_STOP}]*[^\d\s\p{{P}}{_TAG_STOP}]+[^\s{_TAG_STOP}]*)"
)
_TAG_TRAILING_PUNCT = regex.compile(r"\p{P}+$")


def grapheme_count(text: str) -> int:
    """Number of extended grapheme clusters (what a reader sees as one character)."""
    return grapheme_length(text)


def _byte_offset(text: str, char_index: int) -> int:
    return len(text[:char_index].encode("utf-8"))


def _trim_url(url: str) -> str:
    url = url.rstrip(_URL_TRAILING)
    # A closing bracket belongs to the URL only when the URL opened it (Wikipedia links).
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_URL_TRAILING)
    return url


def link_facets(text: str) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet#link`` facets for every http(s) URL in ``text``."""
    facets: list[dict[str, Any]] = []
    for match in _URL.finditer(text):
        url = _trim_url(match.group(0))
        if len(url) <= len("https://"):
            continue
        start = match.start()
        facets.append(
            {
                "index": {
                    "byteStart": _byte_offset(text, start),
                    "byteEnd": _byte_offset(text, start + len(url)),
                },
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    return facets


def tag_facets(text: str) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet#tag`` facets; the byte range includes the ``#``."""
    facets: list[dict[str, Any]] = []
    for match in _TAG.finditer(text):
        tag = _TAG_TRAILING_PUNCT.sub("", match.group(1))
        if not tag or len(tag) > MAX_TAG_CHARS:
            continue
        start = match.start()  # the '#'
        end = match.start(1) + len(tag)
        facets.append(
            {
                "index": {
                    "byteStart": _byte_offset(text, start),
                    "byteEnd": _byte_offset(text, end),
                },
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return facets


def facets_for(text: str) -> list[dict[str, Any]]:
    """Link and hashtag facets, sorted by position; a tag inside a URL is not a tag."""
    links = link_facets(text)
    link_ranges = [(f["index"]["byteStart"], f["index"]["byteEnd"]) for f in links]
    tags = [
        f
        for f in tag_facets(text)
        if not any(s <= f["index"]["byteStart"] < e for s, e in link_ranges)
    ]
    return sorted(links + tags, key=lambda f: int(f["index"]["byteStart"]))


# ---------- record keys ----------

_B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
_KEY_SALT = b"klinikfunk:bluesky:rkey:"
# Fallback window for ids without a timestamp: [2023-01-01, +2^45 µs ≈ 1.1 years). Always in the
# past, so no relay or appview sees a record key "from the future".
_FALLBACK_BASE_US = 1_672_531_200_000_000
_FALLBACK_SPAN_US = 1 << 45


def _tid(timestamp_us: int, clock_id: int) -> str:
    value = ((timestamp_us & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_B32_SORTABLE[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def record_key_for(publication_id: str) -> str:
    """The deterministic record key (a valid TID) of a publication's post.

    Every attempt for the same publication writes to the same key, so a repeated
    ``createRecord`` cannot create a second post, and ``getRecord`` by this key reconciles a lost
    response. The timestamp part is the creation time of a UUIDv7 publication id (so keys sort
    like the posts); for any other id it is derived from a hash, inside a fixed past window. The
    10-bit clock id and the sub-millisecond microseconds come from the hash.
    """
    digest = int.from_bytes(hashlib.sha256(_KEY_SALT + publication_id.encode()).digest()[:16])
    clock_id = digest & 0x3FF
    try:
        parsed = uuid.UUID(publication_id)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.version == 7:
        timestamp_us = (parsed.int >> 80) * 1000 + (digest >> 10) % 1000
    else:
        timestamp_us = _FALLBACK_BASE_US + (digest >> 10) % _FALLBACK_SPAN_US
    return _tid(timestamp_us, clock_id)


def is_tid(value: str) -> bool:
    """True for a syntactically valid TID (13 base32-sortable chars, top bit clear)."""
    return len(value) == 13 and value[0] in "234567abcdefghij" and set(value) <= set(_B32_SORTABLE)
