"""The Mastodon connector against the sandbox's Mastodon personality over real loopback HTTP:
publishing (text, image with alt text and processing), error classes, timeouts, and the
exactly-once path (dropped create → lookup → resend with the same Idempotency-Key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fixtures.sandbox import SandboxServer

from app.connectors.base import (
    Account,
    AuthExpired,
    Credentials,
    MediaItem,
    PermanentError,
    Platform,
    PublishRequest,
    RateLimited,
    TransientError,
)
from app.connectors.mastodon.connector import MastodonConnector
from app.connectors.settings import ConnectorSettings
from app.connectors.text import compose

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
STATUSES = r"^/mastodon/api/v1/statuses$"


@pytest.fixture
def connector(connector_settings: ConnectorSettings, http: httpx.AsyncClient) -> MastodonConnector:
    return MastodonConnector(connector_settings, http)


@pytest.fixture
def seeded(sandbox_server: SandboxServer) -> dict[str, Any]:
    return sandbox_server.control.mastodon_account("uniklinik")


@pytest.fixture
def account(sandbox_server: SandboxServer, seeded: dict[str, Any]) -> Account:
    return Account(
        Platform.MASTODON,
        seeded["account_id"],
        Credentials(access_token=seeded["access_token"]),
        handle="uniklinik",
        instance_url=sandbox_server.mastodon_url,
    )


def _posts(sandbox: SandboxServer, account: Account) -> list[dict[str, Any]]:
    return sandbox.control.posts("mastodon", account.platform_account_id)


def _request(text: str = "Neue Besuchszeiten ab Montag. #Klinikum", **kw: Any) -> PublishRequest:
    return PublishRequest(publication_id=kw.pop("publication_id", "pub-1"), text=text, **kw)


async def test_publish_text_with_link(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    request = _request(
        "Neue Besuchszeiten ab Montag:\ntäglich 10–18 Uhr. #Klinikum",
        link="https://klinikum.example/besuch?utm_source=mastodon&utm_medium=social",
        language="de",
    )
    result = await connector.publish(account, request)

    posts = _posts(sandbox_server, account)
    assert [p["id"] for p in posts] == [result.platform_post_id]
    assert posts[0]["text"] == compose(request.text, request.link)
    assert result.published_at is not None
    assert result.url is not None
    async with httpx.AsyncClient() as client:
        page = await client.get(result.url)
    assert page.status_code == 200
    assert "täglich 10–18 Uhr" in page.text
    status = sandbox_server.control.state()["mastodon"]["statuses"][0]
    assert status["idempotency_key"] == request.idempotency_key
    assert status["language"] == "de"


async def test_publish_image_with_alt_text_waits_for_processing(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    sandbox_server.control.configure(mastodon_media_processing_seconds=0.2)
    image = MediaItem(
        "image",
        "https://cdn.klinikum.example/eingang.jpg",
        "image/jpeg",
        len(JPEG),
        alt_text="Haupteingang des Klinikums mit Fahrradständern",
        content=JPEG,
    )
    result = await connector.publish(account, _request("Unser neuer Eingang", media=[image]))

    mastodon = sandbox_server.control.state()["mastodon"]
    [media] = mastodon["media"]
    assert media["description"] == image.alt_text
    assert media["attached_to"] == result.platform_post_id
    assert len(_posts(sandbox_server, account)) == 1


@pytest.mark.parametrize("how", ["expire", "revoke"])
async def test_invalid_token_is_auth_expired(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account, how: str
) -> None:
    token = account.credentials.access_token
    if how == "expire":
        sandbox_server.control.expire_token(token)
    else:
        sandbox_server.control.revoke_token(token)
    with pytest.raises(AuthExpired) as caught:
        await connector.publish(account, _request())
    assert caught.value.http_status == 401
    assert token not in str(caught.value)
    with pytest.raises(AuthExpired):
        await connector.refresh_token(account)


async def test_refresh_token_keeps_credentials(
    connector: MastodonConnector, account: Account
) -> None:
    assert await connector.refresh_token(account) is account.credentials


async def test_429_is_rate_limited_until_reset_by_server_clock(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    # Virtual time far from the wall clock: retry_after must come from the server's own clock.
    sandbox_server.control.advance_clock("3d")
    sandbox_server.control.set_rate_limits(mastodon_rate_limit=1, mastodon_rate_window_seconds=120)
    await connector.publish(account, _request(publication_id="pub-1"))
    with pytest.raises(RateLimited) as caught:
        await connector.publish(account, _request("Zweiter Beitrag", publication_id="pub-2"))
    assert caught.value.http_status == 429
    assert caught.value.scope == "account"
    assert 100 <= caught.value.retry_after <= 121
    assert len(_posts(sandbox_server, account)) == 1


async def test_injected_500_on_create_is_transient_with_unknown_outcome(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    sandbox_server.control.fault(
        "status", STATUSES, method="POST", status=500, body={"error": "Internal Server Error"}
    )
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request())
    assert caught.value.http_status == 500
    assert caught.value.outcome_unknown
    assert _posts(sandbox_server, account) == []


async def test_503_on_media_upload_is_transient_with_known_outcome(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    sandbox_server.control.fault(
        "status", r"/api/v2/media$", status=503, body={"error": "RaceConditionError"}
    )
    image = MediaItem("image", "https://cdn.example/a.jpg", "image/jpeg", 20, "Alt", JPEG)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request(media=[image]))
    assert not caught.value.outcome_unknown


async def test_hang_on_create_times_out_with_unknown_outcome(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    sandbox_server.control.fault("hang", STATUSES, method="POST", hang_seconds=5)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request())
    assert caught.value.outcome_unknown
    assert "Timeout" in caught.value.message
    assert _posts(sandbox_server, account) == []


async def test_offline_validation_refuses_in_german_without_calling(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    with pytest.raises(PermanentError) as caught:
        await connector.publish(account, _request("ä" * 501))
    assert caught.value.user_message == "Der Text ist 501 Zeichen lang; erlaubt sind 500."
    assert sandbox_server.control.state()["mastodon"]["statuses"] == []


async def test_server_validation_error_is_permanent_with_platform_text(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    sandbox_server.control.configure(mastodon_max_characters=100)
    with pytest.raises(PermanentError) as caught:
        await connector.publish(account, _request("Besuchszeiten " * 10))
    assert caught.value.http_status == 422
    assert caught.value.user_message == "Validation failed: Text character limit of 100 exceeded"


async def test_dropped_create_is_reconciled_to_exactly_one_status(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    request = _request(
        "Blutspende am Samstag\nim Foyer, mit @blutspendedienst@social.example. #Blutspende",
        link="https://www.klinikum.example/aktionen/blutspende?utm_source=mastodon&utm_medium=social",
    )
    sandbox_server.control.fault("drop_after_create", STATUSES, method="POST")
    since = dt.datetime.now(dt.UTC)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, request)
    assert caught.value.outcome_unknown

    found = await connector.lookup(account, request, since)
    posts = _posts(sandbox_server, account)
    assert found is not None
    assert [p["id"] for p in posts] == [found.platform_post_id]

    # A resend of the same publication carries the same Idempotency-Key: same status, no second.
    again = await connector.publish(account, request)
    assert again.platform_post_id == found.platform_post_id
    assert len(_posts(sandbox_server, account)) == 1


async def test_lookup_ignores_other_texts_and_older_statuses(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    request = _request("Tag der offenen Tür")
    assert await connector.lookup(account, request, dt.datetime.now(dt.UTC)) is None
    await connector.publish(account, _request("Etwas anderes", publication_id="other"))
    assert await connector.lookup(account, request, dt.datetime.now(dt.UTC)) is None
    await connector.publish(account, request)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert await connector.lookup(account, request, later) is None


async def test_delete_twice_is_fine(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    result = await connector.publish(account, _request())
    await connector.delete(account, result.platform_post_id)
    assert _posts(sandbox_server, account) == []
    await connector.delete(account, result.platform_post_id)


async def test_exists_reads_the_status_by_id_without_deleting(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    result = await connector.publish(account, _request())
    assert await connector.exists(account, result.platform_post_id) is True
    assert sandbox_server.control.deletes() == []  # a read is no DELETE call
    await connector.delete(account, result.platform_post_id)
    assert await connector.exists(account, result.platform_post_id) is False  # 404
    assert await connector.exists(account, "999999999") is False
    assert len(sandbox_server.control.deletes("mastodon")) == 1


@pytest.mark.parametrize("how", ["expire", "revoke"])
async def test_exists_with_invalid_token_is_auth_expired(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account, how: str
) -> None:
    result = await connector.publish(account, _request())
    getattr(sandbox_server.control, f"{how}_token")(account.credentials.access_token)
    with pytest.raises(AuthExpired) as caught:
        await connector.exists(account, result.platform_post_id)
    assert caught.value.http_status == 401


async def test_exists_maps_throttling_and_server_errors(
    sandbox_server: SandboxServer, connector: MastodonConnector, account: Account
) -> None:
    result = await connector.publish(account, _request())
    status = rf"^/mastodon/api/v1/statuses/{result.platform_post_id}$"
    sandbox_server.control.fault(
        "status", status, method="GET", status=429, body={"error": "Too many requests"}
    )
    with pytest.raises(RateLimited):
        await connector.exists(account, result.platform_post_id)
    sandbox_server.control.fault("status", status, method="GET", status=503)
    with pytest.raises(TransientError) as caught:
        await connector.exists(account, result.platform_post_id)
    assert not caught.value.outcome_unknown
    sandbox_server.control.fault("hang", status, method="GET", hang_seconds=2)
    with pytest.raises(TransientError):
        await connector.exists(account, result.platform_post_id)
