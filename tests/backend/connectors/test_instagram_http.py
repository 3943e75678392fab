"""The Instagram connector against the sandbox's Graph personality over real loopback HTTP:
quota check → container → status polling until FINISHED → one ``media_publish``; error classes,
the publishing quota, timeouts and the exactly-once path (dropped publish → lookup → one post)."""

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
from app.connectors.instagram.connector import InstagramConnector
from app.connectors.settings import ConnectorSettings
from app.connectors.text import compose

PUBLISH = r"^/graph/v[\d.]+/\d+/media_publish$"
CONTAINER = r"^/graph/v[\d.]+/\d+/media$"


@pytest.fixture
def connector(connector_settings: ConnectorSettings, http: httpx.AsyncClient) -> InstagramConnector:
    return InstagramConnector(connector_settings, http)


@pytest.fixture
def account(sandbox_server: SandboxServer) -> Account:
    user = sandbox_server.control.graph_user(
        "Redaktion Süd",
        [{"name": "Klinikum Süd", "instagram": True, "instagram_username": "klinikum_sued"}],
    )
    page = user["pages"][0]
    return Account(
        Platform.INSTAGRAM,
        page["instagram_business_account_id"],
        Credentials(access_token=page["access_token"]),
        handle="klinikum_sued",
    )


def _image(name: str = "eingang", alt: str | None = "Haupteingang des Klinikums") -> MediaItem:
    return MediaItem("image", f"https://cdn.klinikum.example/{name}.jpg", "image/jpeg", 1000, alt)


def _request(text: str = "Unser neuer Eingang. #Klinikum", **kw: Any) -> PublishRequest:
    kw.setdefault("media", [_image()])
    return PublishRequest(publication_id=kw.pop("publication_id", "pub-1"), text=text, **kw)


def _posts(sandbox: SandboxServer, account: Account) -> list[dict[str, Any]]:
    return sandbox.control.posts("instagram", account.platform_account_id)


async def test_publish_image_with_alt_text_polls_until_finished(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    sandbox_server.control.configure(ig_container_polls_in_progress=3)
    request = _request(link="https://klinikum.example/eingang")
    result = await connector.publish(account, request)

    posts = _posts(sandbox_server, account)
    assert [(p["id"], p["text"]) for p in posts] == [
        (result.platform_post_id, compose(request.text, request.link))
    ]
    graph = sandbox_server.control.state()["graph"]
    [container] = graph["ig_containers"]
    assert container["status_code"] == "PUBLISHED"
    assert container["polls_left"] == 0  # three IN_PROGRESS answers were polled through
    [media] = graph["ig_media"]
    assert media["alt_text"] == "Haupteingang des Klinikums"
    assert result.published_at is not None
    assert result.url is not None
    async with httpx.AsyncClient() as client:
        page = await client.get(result.url)
    assert page.status_code == 200
    assert "Unser neuer Eingang" in page.text


async def test_carousel_is_one_post(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    request = _request("Rundgang", media=[_image("eingang"), _image("foyer", "Foyer")])
    result = await connector.publish(account, request)

    assert [p["id"] for p in _posts(sandbox_server, account)] == [result.platform_post_id]
    containers = sandbox_server.control.state()["graph"]["ig_containers"]
    assert [c["media_type"] for c in containers] == ["IMAGE", "IMAGE", "CAROUSEL"]
    assert [c["is_carousel_item"] for c in containers] == [True, True, False]


async def test_container_that_never_finishes_is_transient(
    sandbox_server: SandboxServer, connector_settings: ConnectorSettings, http: httpx.AsyncClient
) -> None:
    sandbox_server.control.configure(ig_container_polls_in_progress=10_000)
    settings = connector_settings.model_copy(update={"media_poll_max_seconds": 0.1})
    connector = InstagramConnector(settings, http)
    user = sandbox_server.control.graph_user("R", [{"name": "K", "instagram": True}])
    page = user["pages"][0]
    account = Account(
        Platform.INSTAGRAM, page["instagram_business_account_id"], Credentials(page["access_token"])
    )
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request())
    assert not caught.value.outcome_unknown
    assert caught.value.retry_after == 60.0
    assert _posts(sandbox_server, account) == []


@pytest.mark.parametrize(("how", "subcode"), [("expire", "190/463"), ("revoke", "190/460")])
async def test_invalid_token_is_auth_expired(
    sandbox_server: SandboxServer,
    connector: InstagramConnector,
    account: Account,
    how: str,
    subcode: str,
) -> None:
    token = account.credentials.access_token
    if how == "expire":
        sandbox_server.control.expire_token(token)
    else:
        sandbox_server.control.revoke_token(token)
    with pytest.raises(AuthExpired) as caught:
        await connector.publish(account, _request())
    assert caught.value.platform_code == subcode
    assert token not in str(caught.value)
    with pytest.raises(AuthExpired):
        await connector.refresh_token(account)


async def test_account_throttle_is_rate_limited(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    sandbox_server.control.set_rate_limits(
        graph_object_calls_per_window=1, graph_rate_window_seconds=300
    )
    with pytest.raises(RateLimited) as caught:
        await connector.publish(account, _request())  # quota read, then the container: too many
    assert caught.value.platform_code == "80002"
    assert caught.value.scope == "account"
    assert caught.value.retry_after == 300.0  # estimated_time_to_regain_access: 5 minutes
    assert sandbox_server.control.state()["graph"]["ig_containers"] == []


async def test_used_up_quota_is_rate_limited_before_any_container(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    sandbox_server.control.configure(ig_quota_total=1)
    await connector.publish(account, _request())
    with pytest.raises(RateLimited) as caught:
        await connector.publish(account, _request("Zweiter Beitrag", publication_id="pub-2"))
    assert caught.value.scope == "publish_quota"
    assert caught.value.retry_after > 0
    assert caught.value.user_message == "Das Tageslimit von 1 Instagram-Beiträgen ist erreicht."
    assert len(sandbox_server.control.state()["graph"]["ig_containers"]) == 1


async def test_quota_refused_by_media_publish_is_publish_quota(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    sandbox_server.control.configure(ig_quota_total=1)
    await connector.publish(account, _request())
    # The quota read is stale (another tool published meanwhile): media_publish refuses (2207042).
    stale = {"data": [{"quota_usage": 0, "config": {"quota_total": 1, "quota_duration": 86400}}]}
    sandbox_server.control.fault("status", r"/content_publishing_limit$", status=200, body=stale)
    with pytest.raises(RateLimited) as caught:
        await connector.publish(account, _request("Zweiter Beitrag", publication_id="pub-2"))
    assert caught.value.scope == "publish_quota"
    assert caught.value.platform_code == "9/2207042"
    assert caught.value.retry_after > 0
    assert len(_posts(sandbox_server, account)) == 1


async def test_unreadable_quota_assumes_the_default_and_publishes(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    sandbox_server.control.fault("status", r"/content_publishing_limit$", status=500)
    result = await connector.publish(account, _request())
    assert [p["id"] for p in _posts(sandbox_server, account)] == [result.platform_post_id]


async def test_injected_500_on_media_publish_is_transient_with_unknown_outcome(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    sandbox_server.control.fault("status", PUBLISH, status=500, body={"error": "injected"})
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request())
    assert caught.value.outcome_unknown
    assert caught.value.http_status == 500
    assert _posts(sandbox_server, account) == []


async def test_injected_500_on_container_is_transient_with_known_outcome(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    sandbox_server.control.fault("status", CONTAINER, method="POST", status=500)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request())
    assert not caught.value.outcome_unknown


async def test_hang_on_media_publish_times_out_with_unknown_outcome(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    sandbox_server.control.fault("hang", PUBLISH, hang_seconds=5)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request())
    assert caught.value.outcome_unknown
    assert _posts(sandbox_server, account) == []


@pytest.mark.parametrize(
    ("media", "message"),
    [
        ([], "Diese Plattform braucht ein Bild oder Video."),
        (
            [MediaItem("image", "https://cdn.example/a.png", "image/png", 1000, "Alt")],
            "Das Format image/png wird nicht unterstützt (image/jpeg).",
        ),
    ],
)
async def test_offline_validation_refuses_in_german(
    sandbox_server: SandboxServer,
    connector: InstagramConnector,
    account: Account,
    media: list[MediaItem],
    message: str,
) -> None:
    with pytest.raises(PermanentError) as caught:
        await connector.publish(account, _request(media=media))
    assert caught.value.user_message == message
    assert sandbox_server.control.state()["graph"]["ig_containers"] == []


async def test_platform_refusal_carries_error_user_msg(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    # Declared JPEG, but Instagram finds another format behind the URL.
    image = MediaItem("image", "https://cdn.example/logo.png", "image/jpeg", 1000, "Logo")
    with pytest.raises(PermanentError) as caught:
        await connector.publish(account, _request(media=[image]))
    assert caught.value.platform_code == "9004/2207005"
    assert caught.value.user_message == (
        "The image format is not supported. Only JPEG is supported."
    )


async def test_dropped_media_publish_is_reconciled_to_exactly_one_post(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    request = _request("Blutspende am Samstag im Foyer\n\n#Blutspende")
    sandbox_server.control.fault("drop_after_create", PUBLISH)
    since = dt.datetime.now(dt.UTC)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, request)
    assert caught.value.outcome_unknown

    found = await connector.lookup(account, request, since)
    posts = _posts(sandbox_server, account)
    assert found is not None
    assert found.url is not None
    assert [p["id"] for p in posts] == [found.platform_post_id]
    assert await connector.lookup(account, _request("Anderer Text"), since) is None


async def test_delete_is_refused_in_german_every_time(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    """The connector treats IG media deletion as unsupported (platforms.md §3.3/§12: ❓)."""
    result = await connector.publish(account, _request())
    for _ in range(2):
        with pytest.raises(PermanentError) as caught:
            await connector.delete(account, result.platform_post_id)
        assert caught.value.user_message == (
            "Instagram-Beiträge lassen sich nur in der Instagram-App löschen."
        )
    assert len(_posts(sandbox_server, account)) == 1


async def test_refresh_token_keeps_credentials(
    connector: InstagramConnector, account: Account
) -> None:
    assert await connector.refresh_token(account) is account.credentials


async def test_exists_reads_the_media_by_id(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    result = await connector.publish(account, _request())
    assert await connector.exists(account, result.platform_post_id) is True
    assert await connector.exists(account, "17999999999999999") is False  # 100/33
    assert sandbox_server.control.deletes() == []


@pytest.mark.parametrize(("how", "subcode"), [("expire", "190/463"), ("revoke", "190/460")])
async def test_exists_with_invalid_token_is_auth_expired(
    sandbox_server: SandboxServer,
    connector: InstagramConnector,
    account: Account,
    how: str,
    subcode: str,
) -> None:
    result = await connector.publish(account, _request())
    getattr(sandbox_server.control, f"{how}_token")(account.credentials.access_token)
    with pytest.raises(AuthExpired) as caught:
        await connector.exists(account, result.platform_post_id)
    assert caught.value.platform_code == subcode


async def test_exists_maps_throttling_and_server_errors(
    sandbox_server: SandboxServer, connector: InstagramConnector, account: Account
) -> None:
    result = await connector.publish(account, _request())
    sandbox_server.control.set_rate_limits(
        graph_object_calls_per_window=1, graph_rate_window_seconds=300
    )
    assert await connector.exists(account, result.platform_post_id) is True  # the one call
    with pytest.raises(RateLimited) as caught:
        await connector.exists(account, result.platform_post_id)
    assert caught.value.platform_code == "80002"
    sandbox_server.control.set_rate_limits(graph_object_calls_per_window=100)
    sandbox_server.control.fault(
        "status", rf"^/graph/v[\d.]+/{result.platform_post_id}$", method="GET", status=503
    )
    with pytest.raises(TransientError):
        await connector.exists(account, result.platform_post_id)
