"""The Bluesky connector over real HTTP against the real reference PDS (see conftest.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import struct
import uuid
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.connectors.base import (
    Account,
    AuthExpired,
    Connector,
    DuplicatePost,
    MediaItem,
    PermanentError,
    PublishRequest,
    RateLimited,
    TransientError,
)
from app.connectors.bluesky.connector import BlueskyConnector, create_connector
from app.connectors.bluesky.richtext import record_key_for
from app.connectors.settings import ConnectorSettings

POST = "app.bsky.feed.post"


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def request(text: str, **kw: Any) -> PublishRequest:
    return PublishRequest(publication_id=str(uuid.uuid4()), text=text, **kw)


def get_record(account: Account, uri: str) -> httpx.Response:
    did, collection, rkey = uri.removeprefix("at://").split("/")
    return httpx.get(
        f"{account.instance_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": did, "collection": collection, "rkey": rkey},
    )


def list_posts(account: Account) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{account.instance_url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": account.platform_account_id, "collection": POST},
    )
    response.raise_for_status()
    records: list[dict[str, Any]] = response.json()["records"]
    return records


class FlakyTransport(httpx.AsyncBaseTransport):
    """The real server behind a network that misbehaves on cue. ``script`` maps an XRPC method
    to the fates of its next calls: ``lose`` (the server gets the request, the answer is lost),
    ``refuse`` (no connection), ``not_found`` (a RecordNotFound answer without asking the
    server, i.e. a read that raced a concurrent write), ``pass``; then all calls pass."""

    def __init__(self, script: dict[str, list[str]]) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.script = script

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.rsplit("/", 1)[-1]
        fates = self.script.get(nsid) or ["pass"]
        fate = fates.pop(0) if self.script.get(nsid) else "pass"
        if fate == "refuse":
            raise httpx.ConnectError("refused by the test", request=request)
        if fate == "not_found":
            body = {"error": "RecordNotFound", "message": "Could not locate record"}
            return httpx.Response(400, json=body, request=request)
        response = await self._inner.handle_async_request(request)
        if fate == "lose":
            await response.aread()
            await response.aclose()
            raise httpx.ReadTimeout("response lost by the test", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def test_connector_satisfies_protocol(connector: BlueskyConnector) -> None:
    assert isinstance(connector, Connector)
    assert connector.limits.text_unit == "graphemes"
    assert connector.limits.text_max == 300


async def test_login_returns_session_and_own_pds(
    connector: BlueskyConnector, bsky_account: dict[str, str]
) -> None:
    account = await connector.login(bsky_account["handle"], bsky_account["app_password"])
    assert account.platform_account_id == bsky_account["did"]
    assert account.handle == bsky_account["handle"]
    assert account.instance_url is not None  # from the DID document
    assert account.credentials.expires_at is not None
    assert account.credentials.refresh_expires_at is not None
    assert account.credentials.expires_at < account.credentials.refresh_expires_at
    assert "eyJ" not in repr(account)  # no token in repr


async def test_publish_text_with_link_and_hashtag_facets(
    connector: BlueskyConnector, account: Account
) -> None:
    link = "https://www.klinikum-süd.example/herz?utm_source=bluesky"
    text = f"Grüße aus der Kardiologie 🫀👩🏽‍⚕️ Mehr: {link}. #Herzgesundheit #Pflege! #2025"
    result = await connector.publish(account, request(text, language="de"))

    assert result.platform_post_id.startswith(f"at://{account.platform_account_id}/{POST}/")
    assert result.url is not None
    assert result.url.startswith("https://bsky.app/profile/")
    response = get_record(account, result.platform_post_id)
    assert response.status_code == 200
    value = response.json()["value"]
    assert value["text"] == text
    assert value["langs"] == ["de"]

    data = text.encode("utf-8")
    facets = value["facets"]
    spans = [
        (data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in facets
    ]
    assert spans == [
        (link, {"$type": "app.bsky.richtext.facet#link", "uri": link}),
        ("#Herzgesundheit", {"$type": "app.bsky.richtext.facet#tag", "tag": "Herzgesundheit"}),
        ("#Pflege", {"$type": "app.bsky.richtext.facet#tag", "tag": "Pflege"}),
    ]
    # Byte offsets, not character offsets: ü, 🫀 and the emoji ZWJ sequence are multi-byte.
    assert facets[0]["index"]["byteStart"] == data.index(b"https://")
    assert facets[0]["index"]["byteStart"] != text.index("https://")


async def test_link_field_is_appended_and_linked(
    connector: BlueskyConnector, account: Account
) -> None:
    link = "https://klinik.example/tag-der-offenen-tuer"
    result = await connector.publish(account, request("Tag der offenen Tür 🏥", link=link))
    value = get_record(account, result.platform_post_id).json()["value"]
    assert value["text"].endswith(link)
    (facet,) = value["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert value["text"].encode()[start:end].decode() == link


async def test_publish_with_image_and_alt_text(
    connector: BlueskyConnector, account: Account, http: httpx.AsyncClient
) -> None:
    png = tiny_png()
    image = MediaItem(
        kind="image",
        url="https://cdn.example/unused.png",
        mime="image/png",
        size_bytes=len(png),
        alt_text="Das Team der Notaufnahme vor dem Haupteingang",
        content=png,
    )
    result = await connector.publish(account, request("Unser Team 📸", media=[image]))

    value = get_record(account, result.platform_post_id).json()["value"]
    embed = value["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    (img,) = embed["images"]
    assert img["alt"] == "Das Team der Notaufnahme vor dem Haupteingang"
    assert img["image"]["mimeType"] == "image/png"
    assert img["image"]["size"] == len(png)
    blob = await http.get(
        f"{account.instance_url}/xrpc/com.atproto.sync.getBlob",
        params={"did": account.platform_account_id, "cid": img["image"]["ref"]["$link"]},
    )
    assert blob.status_code == 200
    assert blob.content == png


async def test_retry_with_same_publication_creates_no_second_post(
    connector: BlueskyConnector, account: Account
) -> None:
    req = request("Nur einmal, bitte. #Idempotenz")
    first = await connector.publish(account, req)
    assert first.platform_post_id.endswith("/" + record_key_for(req.publication_id))

    with pytest.raises(DuplicatePost) as info:
        await connector.publish(account, req)
    assert info.value.existing_id == first.platform_post_id
    assert [r["uri"] for r in list_posts(account)] == [first.platform_post_id]


async def test_createrecord_on_taken_key_is_reconciled(
    connector: BlueskyConnector, connector_settings: ConnectorSettings, account: Account
) -> None:
    """Two workers race past the pre-check: the PDS answers the second createRecord on the same
    key with HTTP 500; the connector reads the key again and returns the existing post."""
    req = request("Zwei Worker, ein Beitrag")
    first = await connector.publish(account, req)
    transport = FlakyTransport({"com.atproto.repo.getRecord": ["not_found"]})
    async with httpx.AsyncClient(transport=transport) as h:
        second = await create_connector(connector_settings, h).publish(account, req)
    assert second.platform_post_id == first.platform_post_id
    assert len(list_posts(account)) == 1


async def test_lost_response_is_reconciled_inside_publish(
    connector_settings: ConnectorSettings, account: Account
) -> None:
    transport = FlakyTransport({"com.atproto.repo.createRecord": ["lose"]})
    async with httpx.AsyncClient(transport=transport) as h:
        req = request("Antwort verloren, Beitrag da")
        result = await create_connector(connector_settings, h).publish(account, req)
    assert result.platform_post_id.endswith("/" + record_key_for(req.publication_id))
    assert len(list_posts(account)) == 1


async def test_lookup_after_lost_response_finds_the_post(
    connector: BlueskyConnector, connector_settings: ConnectorSettings, account: Account
) -> None:
    req = request("Ist das angekommen? 🤔")
    assert await connector.lookup(account, req, since=now()) is None

    # The answer to createRecord is lost and the network stays down for the check after it.
    transport = FlakyTransport(
        {
            "com.atproto.repo.createRecord": ["lose"],
            "com.atproto.repo.getRecord": ["pass", "refuse"],
        }
    )
    async with httpx.AsyncClient(transport=transport) as h:
        with pytest.raises(TransientError) as info:
            await create_connector(connector_settings, h).publish(account, req)
    assert info.value.outcome_unknown is True

    found = await connector.lookup(account, req, since=now())
    assert found is not None
    assert found.platform_post_id.endswith("/" + record_key_for(req.publication_id))
    assert found.published_at is not None
    with pytest.raises(DuplicatePost):
        await connector.publish(account, req)
    assert len(list_posts(account)) == 1


async def test_delete(connector: BlueskyConnector, account: Account) -> None:
    req = request("Gleich wieder weg")
    result = await connector.publish(account, req)
    await connector.delete(account, result.platform_post_id)
    assert get_record(account, result.platform_post_id).json()["error"] == "RecordNotFound"
    assert await connector.lookup(account, req, since=now()) is None
    await connector.delete(account, result.platform_post_id)  # already gone: fine


async def test_delete_refuses_foreign_post(connector: BlueskyConnector, account: Account) -> None:
    with pytest.raises(PermanentError):
        await connector.delete(account, f"at://did:plc:someoneelse/{POST}/3jzfcijpj2z2a")


async def test_exists_reads_the_record_by_key(
    connector: BlueskyConnector, account: Account, connector_settings: ConnectorSettings
) -> None:
    result = await connector.publish(account, request("Noch da?"))
    assert await connector.exists(account, result.platform_post_id) is True
    assert len(list_posts(account)) == 1  # a read changes nothing
    await connector.delete(account, result.platform_post_id)
    assert await connector.exists(account, result.platform_post_id) is False  # RecordNotFound
    unknown = f"at://{account.platform_account_id}/{POST}/3jzfcijpj2z2a"
    assert await connector.exists(account, unknown) is False
    flaky = FlakyTransport({"com.atproto.repo.getRecord": ["refuse"]})
    async with httpx.AsyncClient(transport=flaky) as h:
        with pytest.raises(TransientError):
            await create_connector(connector_settings, h).exists(account, unknown)


async def test_too_long_text_is_refused_before_sending(
    connector: BlueskyConnector, account: Account
) -> None:
    with pytest.raises(PermanentError) as info:
        await connector.publish(account, request("ä" * 301))
    assert "301 von höchstens 300" in (info.value.user_message or "")
    assert list_posts(account) == []


async def test_300_emoji_graphemes_are_accepted_by_the_pds(
    connector: BlueskyConnector, account: Account
) -> None:
    text = "👍🏽" * 300  # 300 graphemes, 600 code points, 2,400 bytes
    assert connector.validate(request(text)) == []
    result = await connector.publish(account, request(text))
    assert get_record(account, result.platform_post_id).status_code == 200


async def test_wrong_app_password_is_a_permanent_error(
    connector: BlueskyConnector, bsky_account: dict[str, str]
) -> None:
    with pytest.raises(PermanentError) as info:
        await connector.login(bsky_account["handle"], "aaaa-bbbb-cccc-dddd")
    assert info.value.http_status == 401
    assert "App-Passwort" in (info.value.user_message or "")


async def test_expired_token_is_auth_expired_and_refresh_fixes_it(
    connector: BlueskyConnector, account: Account, expired_access_token: Callable[[str], str]
) -> None:
    expired = dataclasses.replace(
        account.credentials, access_token=expired_access_token(account.platform_account_id)
    )
    stale = dataclasses.replace(account, credentials=expired)
    req = request("Nach dem Token-Refresh")
    with pytest.raises(AuthExpired) as info:
        await connector.publish(stale, req)
    assert info.value.refreshable is True
    assert info.value.platform_code == "ExpiredToken"
    assert "eyJ" not in str(info.value)

    fresh = await connector.refresh_token(stale)
    assert fresh.refresh_token != account.credentials.refresh_token
    result = await connector.publish(dataclasses.replace(account, credentials=fresh), req)
    assert result.platform_post_id.endswith("/" + record_key_for(req.publication_id))


async def test_revoked_refresh_token_needs_reconnect(
    connector: BlueskyConnector, account: Account, http: httpx.AsyncClient
) -> None:
    logout = await http.post(
        f"{account.instance_url}/xrpc/com.atproto.server.deleteSession",
        headers={"authorization": f"Bearer {account.credentials.refresh_token}"},
    )
    assert logout.status_code == 200
    with pytest.raises(AuthExpired) as info:
        await connector.refresh_token(account)
    assert info.value.refreshable is False


async def test_garbage_token_needs_reconnect(connector: BlueskyConnector, account: Account) -> None:
    broken = dataclasses.replace(
        account, credentials=dataclasses.replace(account.credentials, access_token="a.b.c")
    )
    with pytest.raises(AuthExpired) as info:
        await connector.publish(broken, request("x"))
    assert info.value.refreshable is False


async def test_login_rate_limit_is_rate_limited(
    connector: BlueskyConnector, bsky_account: dict[str, str]
) -> None:
    """createSession: 30 per 5 minutes per account; the 31st answers 429 with RateLimit-Reset."""
    for _ in range(30):
        await connector.login(bsky_account["handle"], bsky_account["app_password"])
    with pytest.raises(RateLimited) as info:
        await connector.login(bsky_account["handle"], bsky_account["app_password"])
    assert 0 < info.value.retry_after <= 300
    assert info.value.http_status == 429


async def test_server_unreachable_is_transient(connector_settings: ConnectorSettings) -> None:
    settings = connector_settings.model_copy(update={"bluesky_pds_url": "http://127.0.0.1:9"})
    async with httpx.AsyncClient() as h:
        with pytest.raises(TransientError) as info:
            await create_connector(settings, h).login("x.test", "y")
    assert info.value.outcome_unknown is False
