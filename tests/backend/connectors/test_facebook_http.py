"""The Facebook Pages connector against the sandbox's Graph personality over real loopback HTTP:
text and photo posts, Meta error envelope → error classes, throttling headers, timeouts,
duplicates (506) and the exactly-once path (dropped feed post → lookup → one post)."""

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
    DuplicatePost,
    MediaItem,
    PermanentError,
    Platform,
    PublishRequest,
    RateLimited,
    TransientError,
)
from app.connectors.facebook.connector import FacebookConnector
from app.connectors.settings import ConnectorSettings

FEED = r"^/graph/v[\d.]+/\d+/feed$"


@pytest.fixture
def connector(connector_settings: ConnectorSettings, http: httpx.AsyncClient) -> FacebookConnector:
    return FacebookConnector(connector_settings, http)


@pytest.fixture
def user(sandbox_server: SandboxServer) -> dict[str, Any]:
    return sandbox_server.control.graph_user("Redaktion Süd", [{"name": "Klinikum Süd"}])


@pytest.fixture
def account(user: dict[str, Any]) -> Account:
    page = user["pages"][0]
    return Account(Platform.FACEBOOK, page["id"], Credentials(access_token=page["access_token"]))


def _posts(sandbox: SandboxServer, account: Account) -> list[dict[str, Any]]:
    return sandbox.control.posts("facebook", account.platform_account_id)


def _request(text: str = "Neue Besuchszeiten ab Montag.", **kw: Any) -> PublishRequest:
    return PublishRequest(publication_id=kw.pop("publication_id", "pub-1"), text=text, **kw)


def _graph_error(code: int, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AxInjected",
            **extra,
        }
    }


async def test_publish_text_with_link(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    request = _request(link="https://klinikum.example/besuch?utm_source=facebook")
    result = await connector.publish(account, request)

    assert result.platform_post_id.startswith(f"{account.platform_account_id}_")
    posts = _posts(sandbox_server, account)
    assert [(p["id"], p["text"]) for p in posts] == [(result.platform_post_id, request.text)]
    assert result.published_at is not None
    assert result.url is not None
    async with httpx.AsyncClient() as client:
        page = await client.get(result.url)
    assert page.status_code == 200
    assert request.text in page.text
    [post] = sandbox_server.control.state()["graph"]["posts"]
    assert post["link"] == request.link


async def test_publish_photos_with_alt_text_as_one_post(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    photos = [
        MediaItem("image", f"https://cdn.klinikum.example/{name}.jpg", "image/jpeg", 1000, alt)
        for name, alt in (("eingang", "Haupteingang"), ("foyer", "Foyer mit Empfang"))
    ]
    result = await connector.publish(account, _request("Rundgang", media=photos))

    assert [p["id"] for p in _posts(sandbox_server, account)] == [result.platform_post_id]
    graph_posts = sandbox_server.control.state()["graph"]["posts"]
    feed = next(p for p in graph_posts if p["id"] == result.platform_post_id)
    attached = [next(p for p in graph_posts if p["id"] == i) for i in feed["attached_photo_ids"]]
    assert [(p["image_url"], p["alt_text"]) for p in attached] == [
        (m.url, m.alt_text) for m in photos
    ]
    assert all(not p["published"] and p["attached_to"] == feed["id"] for p in attached)


@pytest.mark.parametrize(("how", "subcode"), [("expire", "190/463"), ("revoke", "190/460")])
async def test_invalid_token_is_auth_expired(
    sandbox_server: SandboxServer,
    connector: FacebookConnector,
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


async def test_user_token_on_page_is_permanent_permission_error(
    sandbox_server: SandboxServer, connector: FacebookConnector, user: dict[str, Any]
) -> None:
    account = Account(Platform.FACEBOOK, user["pages"][0]["id"], Credentials(user["user_token"]))
    with pytest.raises(PermanentError) as caught:
        await connector.publish(account, _request())
    assert caught.value.platform_code == "200"
    assert "pages_manage_posts" in (caught.value.user_message or "")


async def test_page_throttle_is_rate_limited_with_buc_estimate(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    sandbox_server.control.set_rate_limits(
        graph_object_calls_per_window=2, graph_rate_window_seconds=600
    )
    await connector.publish(account, _request())  # POST feed + GET post: the budget is used up
    with pytest.raises(RateLimited) as caught:
        await connector.publish(account, _request("Noch ein Beitrag", publication_id="pub-2"))
    assert caught.value.platform_code == "80001"
    assert caught.value.scope == "account"
    assert caught.value.retry_after == 600.0  # estimated_time_to_regain_access: 10 minutes
    assert len(_posts(sandbox_server, account)) == 1


async def test_app_throttle_is_rate_limited_app_wide(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    sandbox_server.control.set_rate_limits(graph_app_calls_per_window=1)
    # The post is created; the read-back after it is throttled and does not hide the result.
    first = await connector.publish(account, _request())
    assert first.url is None
    with pytest.raises(RateLimited) as caught:
        await connector.publish(account, _request("Zweiter", publication_id="pub-2"))
    assert caught.value.platform_code == "4"
    assert caught.value.scope == "app"
    assert caught.value.retry_after == 3600.0


async def test_http_429_with_retry_after(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    sandbox_server.control.fault(
        "status", FEED, status=429, body="Too Many Requests", headers={"Retry-After": "120"}
    )
    with pytest.raises(RateLimited) as caught:
        await connector.publish(account, _request())
    assert caught.value.retry_after == 120.0


@pytest.mark.parametrize(
    "body",
    [
        {"error": "injected"},
        _graph_error(2, "An unexpected error has occurred. Please retry.", is_transient=True),
    ],
)
async def test_injected_500_on_feed_post_is_transient_with_unknown_outcome(
    sandbox_server: SandboxServer,
    connector: FacebookConnector,
    account: Account,
    body: dict[str, Any],
) -> None:
    sandbox_server.control.fault("status", FEED, method="POST", status=500, body=body)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request())
    assert caught.value.outcome_unknown
    assert caught.value.http_status == 500


async def test_hang_on_feed_post_times_out_with_unknown_outcome(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    sandbox_server.control.fault("hang", FEED, method="POST", hang_seconds=5)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request())
    assert caught.value.outcome_unknown
    assert _posts(sandbox_server, account) == []


async def test_hang_on_photo_upload_is_transient_with_known_outcome(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    sandbox_server.control.fault("hang", r"/photos$", hang_seconds=5)
    photo = MediaItem("image", "https://cdn.example/a.jpg", "image/jpeg", 1000, "Alt")
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, _request(media=[photo]))
    assert not caught.value.outcome_unknown


async def test_offline_validation_refuses_in_german(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    webp = MediaItem("image", "https://cdn.example/a.webp", "image/webp", 1000, "Alt")
    with pytest.raises(PermanentError) as caught:
        await connector.publish(account, _request(media=[webp]))
    assert caught.value.user_message == (
        "Das Format image/webp wird nicht unterstützt (image/jpeg, image/png, image/gif)."
    )
    assert sandbox_server.control.state()["graph"]["posts"] == []


async def test_platform_refusal_carries_error_user_msg(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    body = _graph_error(
        100,
        "(#100) The link could not be scraped.",
        error_subcode=1609005,
        is_transient=False,
        error_user_title="Link konnte nicht geladen werden",
        error_user_msg="Der Link konnte nicht abgerufen werden. Bitte prüfe die Adresse.",
    )
    sandbox_server.control.fault("status", FEED, method="POST", status=400, body=body)
    with pytest.raises(PermanentError) as caught:
        await connector.publish(account, _request(link="https://kaputt.example"))
    assert caught.value.user_message == body["error"]["error_user_msg"]
    assert caught.value.platform_code == "100/1609005"
    assert "AxInjected" in caught.value.message


async def test_same_text_again_is_duplicate_post(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    since = dt.datetime.now(dt.UTC)
    first = await connector.publish(account, _request(publication_id="pub-1"))
    with pytest.raises(DuplicatePost) as caught:
        await connector.publish(account, _request(publication_id="pub-2"))
    assert caught.value.platform_code == "506"
    found = await connector.lookup(account, _request(publication_id="pub-2"), since)
    assert found is not None
    assert found.platform_post_id == first.platform_post_id


async def test_dropped_feed_post_is_reconciled_to_exactly_one_post(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    request = _request("Blutspende am Samstag im Foyer", link="https://klinikum.example/blut")
    sandbox_server.control.fault("drop_after_create", FEED, method="POST")
    since = dt.datetime.now(dt.UTC)
    with pytest.raises(TransientError) as caught:
        await connector.publish(account, request)
    assert caught.value.outcome_unknown

    found = await connector.lookup(account, request, since)
    posts = _posts(sandbox_server, account)
    assert found is not None
    assert found.url is not None
    assert [p["id"] for p in posts] == [found.platform_post_id]

    # A blind resend is refused as a duplicate, never a second post.
    with pytest.raises(DuplicatePost):
        await connector.publish(account, request)
    assert len(_posts(sandbox_server, account)) == 1


async def test_lookup_finds_nothing_for_other_text(
    connector: FacebookConnector, account: Account
) -> None:
    since = dt.datetime.now(dt.UTC)
    await connector.publish(account, _request("Etwas anderes"))
    assert await connector.lookup(account, _request("Tag der offenen Tür"), since) is None


async def test_delete_twice_is_fine(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    result = await connector.publish(account, _request())
    await connector.delete(account, result.platform_post_id)
    assert _posts(sandbox_server, account) == []
    await connector.delete(account, result.platform_post_id)


async def test_refresh_token_keeps_credentials(
    connector: FacebookConnector, account: Account
) -> None:
    assert await connector.refresh_token(account) is account.credentials


async def test_exists_reads_the_post_by_id_without_deleting(
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    result = await connector.publish(account, _request())
    assert await connector.exists(account, result.platform_post_id) is True
    assert sandbox_server.control.deletes() == []  # a read is no DELETE call
    await connector.delete(account, result.platform_post_id)
    assert await connector.exists(account, result.platform_post_id) is False  # 100/33
    assert await connector.exists(account, f"{account.platform_account_id}_999999") is False
    assert len(sandbox_server.control.deletes("facebook")) == 1


@pytest.mark.parametrize(("how", "subcode"), [("expire", "190/463"), ("revoke", "190/460")])
async def test_exists_with_invalid_token_is_auth_expired(
    sandbox_server: SandboxServer,
    connector: FacebookConnector,
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
    sandbox_server: SandboxServer, connector: FacebookConnector, account: Account
) -> None:
    result = await connector.publish(account, _request())
    node = rf"^/graph/v[\d.]+/{result.platform_post_id}$"
    sandbox_server.control.fault(
        "status", node, method="GET", status=400,
        body=_graph_error(80001, "(#80001) There have been too many calls to this Page account."),
    )  # fmt: skip
    with pytest.raises(RateLimited) as throttled:
        await connector.exists(account, result.platform_post_id)
    assert throttled.value.scope == "account"
    sandbox_server.control.fault(
        "status", node, method="GET", status=500,
        body=_graph_error(2, "An unexpected error has occurred.", is_transient=True),
    )  # fmt: skip
    with pytest.raises(TransientError):
        await connector.exists(account, result.platform_post_id)
    sandbox_server.control.fault(
        "status", node, method="GET", status=400,
        body=_graph_error(10, "(#10) Application does not have permission for this action"),
    )  # fmt: skip
    with pytest.raises(PermanentError):  # not "gone": the worker deletes anyway
        await connector.exists(account, result.platform_post_id)
