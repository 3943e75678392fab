"""Pure parts of the Bluesky connector: graphemes, facets in UTF-8 bytes, record keys, errors."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from app.connectors.base import (
    AuthExpired,
    MediaItem,
    PermanentError,
    PublishRequest,
    RateLimited,
    TransientError,
)
from app.connectors.bluesky.client import map_error, retry_after_from
from app.connectors.bluesky.connector import BlueskyConnector
from app.connectors.bluesky.richtext import (
    facets_for,
    grapheme_count,
    is_tid,
    record_key_for,
)
from app.connectors.settings import ConnectorSettings

CONNECTOR = BlueskyConnector(ConnectorSettings(), httpx.AsyncClient())


def spans(text: str) -> list[tuple[str, str]]:
    data = text.encode("utf-8")
    return [
        (
            data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"),
            f["features"][0]["$type"].rsplit("#", 1)[1],
        )
        for f in facets_for(text)
    ]


def codes(text: str, **kw: object) -> list[str]:
    req = PublishRequest(publication_id="p1", text=text, **kw)  # type: ignore[arg-type]
    return [issue.code for issue in CONNECTOR.validate(req)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", 3),
        ("Grüße", 5),
        ("Gru\u0308ße", 5),  # u + combining diaeresis is one grapheme
        ("👍🏽", 1),
        ("👩🏽‍⚕️", 1),  # ZWJ sequence
        ("🇩🇪", 1),  # flag
        ("👨‍👩‍👧‍👦", 1),
        ("\r\n", 1),
    ],
)
def test_grapheme_count(text: str, expected: int) -> None:
    assert grapheme_count(text) == expected


def test_grapheme_limit_300() -> None:
    assert codes("ä" * 300) == []
    assert codes("ä" * 301) == ["text_too_long"]
    assert codes("👍🏽" * 300) == []  # 300 graphemes, 2,400 bytes
    assert codes("👍🏽" * 301) == ["text_too_long"]
    # 150 family emoji: 150 graphemes but 3,750 bytes: over the 3,000-byte cap
    assert codes("👨‍👩‍👧‍👦" * 150) == ["text_too_many_bytes"]


def test_appended_link_counts() -> None:
    link = "https://klinik.example/" + "x" * 40
    assert codes("a" * 235, link=link) == []  # 235 + 2 newlines + 63
    assert codes("a" * 236, link=link) == ["text_too_long"]


def test_media_validation() -> None:
    def image(**kw: object) -> MediaItem:
        base: dict[str, object] = {
            "kind": "image",
            "url": "https://cdn.example/a.png",
            "mime": "image/png",
            "size_bytes": 1000,
            "alt_text": "Alt",
        }
        return MediaItem(**{**base, **kw})  # type: ignore[arg-type]

    assert codes("", media=[image()]) == []
    assert codes("") == ["empty"]
    assert codes("x", media=[image()] * 5) == ["too_many_media"]
    assert codes("x", media=[image(size_bytes=1_000_001)]) == ["media_too_large"]
    assert codes("x", media=[image(mime="image/tiff")]) == ["media_type_unsupported"]
    assert codes("x", media=[image(kind="video", mime="video/mp4")]) == ["media_kind_unsupported"]
    req = PublishRequest(publication_id="p", text="x", media=[image(alt_text=None)])
    (issue,) = CONNECTOR.validate(req)
    assert (issue.code, issue.blocking) == ("alt_text_missing", False)


def test_facets_use_utf8_byte_offsets() -> None:
    text = "Öffnungszeiten 🕗 ändern sich: https://klinik.example/ä?x=1 #Notaufnahme"
    assert spans(text) == [
        ("https://klinik.example/ä?x=1", "link"),
        ("#Notaufnahme", "tag"),
    ]
    (link, tag) = facets_for(text)
    assert link["index"]["byteStart"] == text.encode().index(b"https://")
    assert link["index"]["byteStart"] == text.index("https://") + 5  # Ö +1, 🕗 +3, ä +1
    assert tag["features"][0]["tag"] == "Notaufnahme"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Siehe https://a.example/x.", [("https://a.example/x", "link")]),
        ("(https://a.example/x)", [("https://a.example/x", "link")]),
        (
            "https://de.wikipedia.org/wiki/Herz_(Organ)",
            [("https://de.wikipedia.org/wiki/Herz_(Organ)", "link")],
        ),
        ("#2025 ist nur eine Zahl", []),
        ("Hallo#nichts", []),
        (
            "#Pflege! und #Ärzt:innen, #MFA.",
            [("#Pflege", "tag"), ("#Ärzt:innen", "tag"), ("#MFA", "tag")],
        ),
        ("＃Gesundheit", [("＃Gesundheit", "tag")]),
        ("https://a.example/#anker", [("https://a.example/#anker", "link")]),
        ("#" + "a" * 65, []),
    ],
)
def test_facet_detection(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(text) == expected


def test_record_key_is_a_deterministic_tid() -> None:
    pid = str(uuid.uuid4())
    key = record_key_for(pid)
    assert is_tid(key)
    assert key == record_key_for(pid)
    assert key != record_key_for(str(uuid.uuid4()))
    assert len({record_key_for(str(i)) for i in range(5000)}) == 5000


def _tid_micros(key: str) -> int:
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    value = 0
    for char in key:
        value = value * 32 + alphabet.index(char)
    return value >> 10


def test_record_key_time_is_never_in_the_future() -> None:
    now_us = int(time.time() * 1_000_000)
    for i in range(2000):
        assert _tid_micros(record_key_for(f"publication-{i}")) < now_us
    # UUIDv7 ids carry their creation time: the key sorts like the publications.
    ms = int(time.time() * 1000) - 5000
    v7 = uuid.UUID(int=(ms << 80) | (0x7 << 76) | (0x2 << 62) | 12345)
    assert abs(_tid_micros(record_key_for(str(v7))) - ms * 1000) < 1000


def response(
    status: int, body: object = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_error_mapping() -> None:
    nsid = "com.atproto.repo.createRecord"
    expired = map_error(
        nsid, response(400, {"error": "ExpiredToken", "message": "Token has expired"})
    )
    assert isinstance(expired, AuthExpired)
    assert expired.refreshable
    invalid = map_error(nsid, response(400, {"error": "InvalidToken", "message": "bad"}))
    assert isinstance(invalid, AuthExpired)
    assert not invalid.refreshable
    reset = str(int(time.time()) + 120)
    limited = map_error(
        nsid, response(429, {"error": "RateLimitExceeded"}, {"RateLimit-Reset": reset})
    )
    assert isinstance(limited, RateLimited)
    assert 100 < limited.retry_after <= 120
    upstream = map_error(nsid, response(502, {"error": "UpstreamFailure"}), visible=True)
    assert isinstance(upstream, TransientError)
    assert upstream.outcome_unknown
    bad = map_error(nsid, response(400, {"error": "InvalidRequest", "message": "grapheme too big"}))
    assert isinstance(bad, PermanentError)
    assert bad.user_message == "Bluesky hat die Anfrage abgelehnt: grapheme too big"
    too_big = map_error(nsid, httpx.Response(413, text="request entity too large"))
    assert isinstance(too_big, PermanentError)


def test_retry_after_sources() -> None:
    assert retry_after_from(response(429, {}, {"Retry-After": "7"})) == 7
    assert retry_after_from(response(429, {}, {"RateLimit-Reset": "1000000100"}), now=1e9) == 100
    assert retry_after_from(response(429, {})) == 60
