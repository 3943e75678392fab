"""Mastodon offline parts: counting as Mastodon does, validation, error mapping from real bodies."""

from __future__ import annotations

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
from app.connectors.mastodon.client import map_error
from app.connectors.mastodon.connector import MastodonConnector, countable_length, plain_text
from app.connectors.settings import ConnectorSettings


@pytest.fixture
def connector() -> MastodonConnector:
    return MastodonConnector(ConnectorSettings(), httpx.AsyncClient())


def _response(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("POST", "https://social.example/api/v1/statuses?access_token=hidden")
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_urls_count_23_and_remote_mentions_count_the_username() -> None:
    url = "https://www.klinikum-beispiel.de/karriere/pflege/ausbildung-2026?utm_source=mastodon"
    assert countable_length(url) == 23
    assert countable_length(f"Jobs: {url}") == 6 + 23
    assert countable_length("@pflege@social.example hallo") == len("@pflege hallo")


def test_validate_accepts_500_and_refuses_501(connector: MastodonConnector) -> None:
    ok = PublishRequest(publication_id="p", text="ä" * 475, link="https://a.example/" + "x" * 100)
    assert countable_length(ok.text + "\n\n" + ok.link) == 500  # type: ignore[operator]
    assert connector.validate(ok) == []
    too_long = PublishRequest(publication_id="p", text="ä" * 501)
    issues = connector.validate(too_long)
    assert [issue.code for issue in issues] == ["text_too_long"]
    assert "501" in issues[0].message


def test_validate_media_limits(connector: MastodonConnector) -> None:
    image = MediaItem("image", "http://m/a.jpg", "image/jpeg", 1000, alt_text="Eingang")
    request = PublishRequest(
        publication_id="p",
        text="Bilder",
        media=[image] * 5 + [MediaItem("image", "http://m/b.bmp", "image/bmp", 17_000_000)],
    )
    codes = {issue.code for issue in connector.validate(request)}
    assert {"too_many_media", "unsupported_format", "file_too_large", "alt_text_missing"} <= codes


def test_plain_text_of_rendered_status() -> None:
    content = (
        '<p>Neue Besuchszeiten &amp; mehr</p><p><a href="https://k.example/x" rel="nofollow">'
        '<span class="invisible">https://</span><span class="">k.example/x</span></a></p>'
    )
    assert plain_text(content) == "Neue Besuchszeiten & mehr https://k.example/x"


def test_401_is_auth_expired() -> None:
    error = map_error(_response(401, {"error": "The access token is invalid"}))
    assert isinstance(error, AuthExpired)
    assert "hidden" not in str(error)


def test_422_is_permanent_with_the_platform_text() -> None:
    error = map_error(_response(422, {"error": "Validation failed: Text can't be blank"}))
    assert isinstance(error, PermanentError)
    assert error.user_message == "Validation failed: Text can't be blank"


def test_429_uses_ratelimit_reset_against_server_date() -> None:
    response = _response(
        429,
        {"error": "Too many requests"},
        {"X-RateLimit-Reset": "2026-11-23T10:05:00.000Z", "Date": "Mon, 23 Nov 2026 10:00:00 GMT"},
    )
    error = map_error(response)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 300.0


def test_503_on_create_is_transient_with_unknown_outcome() -> None:
    error = map_error(_response(503, {"error": "RaceConditionError"}), visible=True)
    assert isinstance(error, TransientError)
    assert error.outcome_unknown
