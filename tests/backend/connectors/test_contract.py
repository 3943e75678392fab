"""The shared contract: registry, idempotency key, secrets kept out of reprs, text measurement."""

from __future__ import annotations

import httpx
import pytest

from app.connectors.base import (
    Account,
    Connector,
    Credentials,
    MediaItem,
    Platform,
    PublishRequest,
    idempotency_key_for,
)
from app.connectors.registry import UnsupportedPlatform, get_connector, supported_platforms
from app.connectors.settings import ConnectorSettings
from app.connectors.text import compose, extract_urls, grapheme_length, hashtags


@pytest.mark.parametrize(
    "platform", [Platform.MASTODON, Platform.FACEBOOK, Platform.INSTAGRAM, Platform.LINKEDIN]
)
async def test_registry_builds_connectors_that_satisfy_the_protocol(platform: Platform) -> None:
    async with httpx.AsyncClient() as http:
        connector = get_connector(platform, ConnectorSettings(), http)
    assert isinstance(connector, Connector)
    assert connector.platform is platform


@pytest.mark.parametrize("platform", [Platform.X])
async def test_registry_refuses_platforms_without_connector(platform: Platform) -> None:
    assert platform not in supported_platforms()
    async with httpx.AsyncClient() as http:
        with pytest.raises(UnsupportedPlatform):
            get_connector(platform, ConnectorSettings(), http)


def test_supported_platforms_are_the_packages_that_exist() -> None:
    assert supported_platforms() == {
        Platform.MASTODON,
        Platform.FACEBOOK,
        Platform.INSTAGRAM,
        Platform.BLUESKY,
        Platform.LINKEDIN,
    }


def test_idempotency_key_is_stable_per_publication() -> None:
    first = PublishRequest(publication_id="pub-1", text="a")
    again = PublishRequest(publication_id="pub-1", text="changed")
    other = PublishRequest(publication_id="pub-2", text="a")
    assert first.idempotency_key == again.idempotency_key == idempotency_key_for("pub-1")
    assert first.idempotency_key != other.idempotency_key


def test_tokens_and_media_bytes_stay_out_of_reprs() -> None:
    creds = Credentials(access_token="secret-access", refresh_token="secret-refresh")
    account = Account(Platform.MASTODON, "1", creds)
    media = MediaItem("image", "http://x/a.jpg", "image/jpeg", 3, content=b"secret-bytes")
    text = repr(account) + repr(media)
    assert "secret" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grüße", 5),
        ("Gru\u0308ße", 5),
        ("👍🏽", 1),
        ("👩‍⚕️ Ärztin", 8),
        ("🇩🇪🇦🇹", 2),
        ("a\r\nb", 3),
        ("", 0),
    ],
)
def test_grapheme_length(text: str, expected: int) -> None:
    assert grapheme_length(text) == expected


def test_urls_hashtags_and_compose() -> None:
    text = "Tag der offenen Tür: https://klinikum.example/tag?x=1. #Gesundheit #Pflege2025 C#"
    assert extract_urls(text) == ["https://klinikum.example/tag?x=1"]
    assert hashtags(text) == ["Gesundheit", "Pflege2025"]
    assert compose("Text", "https://a.example") == "Text\n\nhttps://a.example"
    assert compose("Siehe https://a.example", "https://a.example") == "Siehe https://a.example"
