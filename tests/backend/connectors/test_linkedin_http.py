"""The LinkedIn connector against the sandbox's LinkedIn personality over real loopback HTTP:
posts with images and alt text, little-text escaping, every error class (401, 429 daily and
infrastructure, 403/422 permanent, 5xx and timeouts, 422 DUPLICATE_POST), reconciliation after
a dropped create, delete and token refresh."""

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
from app.connectors.linkedin.client import seconds_until_utc_midnight
from app.connectors.linkedin.connector import LinkedInConnector
from app.connectors.linkedin.little import escape, unescape
from app.connectors.registry import get_connector
from app.connectors.settings import ConnectorSettings

POSTS = r"^/linkedin/rest/posts$"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def connector(connector_settings: ConnectorSettings, http: httpx.AsyncClient) -> LinkedInConnector:
    return LinkedInConnector(connector_settings, http)


@pytest.fixture
def member(sandbox_server: SandboxServer) -> dict[str, Any]:
    return sandbox_server.control.linkedin_member(
        "Redaktion Süd", [{"name": "Klinikum Süd", "vanity_name": "klinikum-sued"}]
    )


@pytest.fixture
def account(member: dict[str, Any]) -> Account:
    return Account(
        Platform.LINKEDIN,
        member["organizations"][0]["urn"],
        Credentials(
            access_token=member["access_token"],
            refresh_token=member["refresh_token"],
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=60),
        ),
    )


def _posts(sandbox: SandboxServer, account: Account) -> list[dict[str, Any]]:
    return sandbox.control.posts("linkedin", account.platform_account_id)


def _request(text: str = "Neue Besuchszeiten ab Montag.", **kw: Any) -> PublishRequest:
    return PublishRequest(publication_id=kw.pop("publication_id", "pub-1"), text=text, **kw)


def _image(name: str, alt: str | None) -> MediaItem:
    return MediaItem("image", f"https://cdn.example/{name}.png", "image/png", len(PNG), alt, PNG)


async def test_registry_builds_the_linkedin_connector(
    connector_settings: ConnectorSettings,
) -> None:
    async with httpx.AsyncClient() as http:
        assert isinstance(
            get_connector(Platform.LINKEDIN, connector_settings, http), LinkedInConnector
        )


class TestPublish:
    async def test_text_post_with_reserved_characters_is_shown_in_full(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        text = "Tag der offenen Tür (Samstag) – Anmeldung: info@klinikum.example #Gesundheit *neu*"
        link = "https://klinikum.example/tag?utm_source=linkedin&utm_medium=social"
        result = await connector.publish(account, _request(text, link=link))

        assert result.platform_post_id.startswith("urn:li:share:")
        assert result.published_at is not None
        [post] = _posts(sandbox_server, account)
        assert post["id"] == result.platform_post_id
        # LinkedIn would cut the text at the first unescaped "(": everything arrives.
        assert post["text"] == f"{text}\n\n{link}"
        assert result.url == f"{sandbox_server.linkedin_url}/feed/update/{result.platform_post_id}"
        async with httpx.AsyncClient() as client:
            page = await client.get(result.url)
        assert page.status_code == 200
        assert "Tag der offenen Tür (Samstag)" in page.text

    async def test_sandbox_truncates_unescaped_commentary(
        self, sandbox_server: SandboxServer, member: dict[str, Any]
    ) -> None:
        """The sandbox really enforces little text, so the test above proves the escaping."""
        org = member["organizations"][0]["urn"]
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{sandbox_server.linkedin_url}/rest/posts",
                json={
                    "author": org, "commentary": "Vorher (danach)", "visibility": "PUBLIC",
                    "distribution": {"feedDistribution": "MAIN_FEED"},
                    "lifecycleState": "PUBLISHED",
                },
                headers={
                    "Authorization": f"Bearer {member['access_token']}",
                    "LinkedIn-Version": "202510", "X-Restli-Protocol-Version": "2.0.0",
                },
            )  # fmt: skip
        assert response.status_code == 201
        [post] = sandbox_server.control.posts("linkedin", org)
        assert post["text"] == "Vorher "

    async def test_one_image_with_alt_text(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.configure(linkedin_image_polls_processing=2)
        result = await connector.publish(
            account, _request("Rundgang", media=[_image("a", "Foyer")])
        )

        state = sandbox_server.control.state()["linkedin"]
        [post] = [p for p in state["posts"] if p["urn"] == result.platform_post_id]
        [image] = state["images"]
        assert post["content"] == {"media": {"id": image["urn"], "altText": "Foyer"}}
        assert image["status"] == "AVAILABLE"
        assert image["size"] == len(PNG)
        assert image["owner"] == account.platform_account_id

    async def test_several_images_are_one_multi_image_post(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        media = [_image("a", "Haupteingang"), _image("b", "Foyer mit Empfang")]
        result = await connector.publish(account, _request("Rundgang", media=media))

        assert [p["id"] for p in _posts(sandbox_server, account)] == [result.platform_post_id]
        [post] = sandbox_server.control.state()["linkedin"]["posts"]
        images = post["content"]["multiImage"]["images"]
        assert [i["altText"] for i in images] == ["Haupteingang", "Foyer mit Empfang"]

    async def test_offline_validation_refuses_in_german(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        with pytest.raises(PermanentError) as caught:
            await connector.publish(account, _request("x" * 3001))
        assert caught.value.user_message == "Der Text ist 3001 Zeichen lang; erlaubt sind 3000."
        assert _posts(sandbox_server, account) == []
        issues = connector.validate(_request("ok", media=[_image("a", None)]))
        assert [(i.code, i.blocking) for i in issues] == [("alt_text_missing", False)]


class TestErrors:
    @pytest.mark.parametrize("how", ["expire", "revoke"])
    async def test_invalid_token_is_auth_expired(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account,
        how: str,
    ) -> None:  # fmt: skip
        token = account.credentials.access_token
        getattr(sandbox_server.control, f"{how}_token")(token)
        with pytest.raises(AuthExpired) as caught:
            await connector.publish(account, _request())
        assert caught.value.refreshable  # a refresh token exists
        assert caught.value.platform_code in ("EXPIRED_ACCESS_TOKEN", "REVOKED_ACCESS_TOKEN")
        assert token not in str(caught.value)

    async def test_member_limit_429_parks_until_midnight_utc(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.set_rate_limits(linkedin_posts_per_day=1)
        await connector.publish(account, _request())
        with pytest.raises(RateLimited) as caught:
            await connector.publish(account, _request("Zweiter Beitrag", publication_id="pub-2"))
        expected = seconds_until_utc_midnight(dt.datetime.now(dt.UTC))
        assert abs(caught.value.retry_after - expected) < 5
        assert caught.value.scope == "account"
        assert len(_posts(sandbox_server, account)) == 1

    async def test_app_day_limit_is_app_scope(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.set_rate_limits(linkedin_app_calls_per_day=0)
        with pytest.raises(RateLimited) as caught:
            await connector.publish(account, _request())
        assert caught.value.scope == "app"
        assert caught.value.retry_after > 0

    async def test_429_with_retry_after_and_without_body(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.fault("status", POSTS, method="POST", status=429, body="", headers={"Retry-After": "120"})  # fmt: skip
        with pytest.raises(RateLimited) as caught:
            await connector.publish(account, _request())
        assert caught.value.retry_after == 120.0
        sandbox_server.control.fault("status", POSTS, method="POST", status=429, body="")
        with pytest.raises(RateLimited) as caught:
            await connector.publish(account, _request())
        assert caught.value.retry_after == 60.0  # infrastructure protection: one short backoff
        assert caught.value.scope == "endpoint"

    async def test_422_is_permanent_with_the_platform_message(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        body = {
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": "/commentary: invalid little text",
            "errorDetails": {"inputErrors": [{"code": "INVALID_FORMAT", "input": {}}]},
            "status": 422,
        }
        sandbox_server.control.fault("status", POSTS, method="POST", status=422, body=body)
        with pytest.raises(PermanentError) as caught:
            await connector.publish(account, _request())
        assert caught.value.user_message == "/commentary: invalid little text"
        assert caught.value.platform_code == "INVALID_FORMAT"

    async def test_400_is_permanent(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        body = {"status": 400, "code": "ILLEGAL_ARGUMENT", "message": "Invalid value for field"}
        sandbox_server.control.fault("status", POSTS, method="POST", status=400, body=body)
        with pytest.raises(PermanentError) as caught:
            await connector.publish(account, _request())
        assert caught.value.user_message == "Invalid value for field"

    async def test_no_admin_role_is_permanent_with_a_human_hint(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector
    ) -> None:
        analyst = sandbox_server.control.linkedin_member(
            "Analyse", [{"name": "Klinikum West", "role": "ANALYST"}]
        )
        account = Account(
            Platform.LINKEDIN, analyst["organizations"][0]["urn"],
            Credentials(access_token=analyst["access_token"]),
        )  # fmt: skip
        with pytest.raises(PermanentError) as caught:
            await connector.publish(account, _request())
        assert caught.value.http_status == 403
        assert "Administrator" in (caught.value.user_message or "")

    @pytest.mark.parametrize(
        "body",
        [
            {"status": 500, "message": "Internal Server Error"},
            {"status": 500, "message": "Unable to obtain activity"},
        ],
    )
    async def test_5xx_on_create_is_transient_with_unknown_outcome(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account,
        body: dict[str, Any],
    ) -> None:  # fmt: skip
        sandbox_server.control.fault("status", POSTS, method="POST", status=503, body=body)
        with pytest.raises(TransientError) as caught:
            await connector.publish(account, _request())
        assert caught.value.outcome_unknown
        assert caught.value.http_status == 503

    async def test_hang_on_create_times_out_with_unknown_outcome(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.fault("hang", POSTS, method="POST", hang_seconds=5)
        with pytest.raises(TransientError) as caught:
            await connector.publish(account, _request())
        assert caught.value.outcome_unknown

    async def test_hang_on_image_upload_is_transient_with_known_outcome(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.fault("hang", r"/dms-uploads/", hang_seconds=5)
        with pytest.raises(TransientError) as caught:
            await connector.publish(account, _request(media=[_image("a", "Alt")]))
        assert not caught.value.outcome_unknown
        assert _posts(sandbox_server, account) == []


class TestExactlyOnce:
    async def test_same_commentary_again_is_duplicate_with_the_existing_urn(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        first = await connector.publish(account, _request(publication_id="pub-1"))
        with pytest.raises(DuplicatePost) as caught:
            await connector.publish(account, _request(publication_id="pub-2"))
        assert caught.value.existing_id == first.platform_post_id
        assert caught.value.platform_code == "DUPLICATE_POST"

    async def test_dropped_create_is_reconciled_to_exactly_one_post(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        request = _request(
            "Blutspende am Samstag (Foyer) #Blutspende", link="https://k.example/b_1"
        )
        sandbox_server.control.fault("drop_after_create", POSTS, method="POST")
        since = dt.datetime.now(dt.UTC)
        with pytest.raises(TransientError) as caught:
            await connector.publish(account, request)
        assert caught.value.outcome_unknown

        found = await connector.lookup(account, request, since)
        posts = _posts(sandbox_server, account)
        assert found is not None
        assert found.url is not None
        assert [p["id"] for p in posts] == [found.platform_post_id]
        # A blind resend is refused as a duplicate naming the same post, never a second post.
        with pytest.raises(DuplicatePost) as dup:
            await connector.publish(account, request)
        assert dup.value.existing_id == found.platform_post_id
        assert len(_posts(sandbox_server, account)) == 1

    async def test_lookup_ignores_other_text_and_older_posts(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        await connector.publish(account, _request("Tag der offenen Tür"))
        sandbox_server.control.advance_clock("10m")
        since = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
        await connector.publish(account, _request("Etwas anderes", publication_id="pub-2"))
        assert await connector.lookup(account, _request("Tag der offenen Tür"), since) is None


class TestLifecycle:
    async def test_delete_twice_is_fine(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        result = await connector.publish(account, _request())
        await connector.delete(account, result.platform_post_id)
        assert _posts(sandbox_server, account) == []
        await connector.delete(account, result.platform_post_id)

    async def test_healthy_token_far_from_expiry_is_kept(
        self, connector: LinkedInConnector, account: Account
    ) -> None:
        assert await connector.refresh_token(account) is account.credentials

    async def test_token_near_expiry_is_refreshed_and_works(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.advance_clock("55d")
        old = account.credentials
        soon = Credentials(old.access_token, old.refresh_token, dt.datetime.now(dt.UTC) + dt.timedelta(days=5))  # fmt: skip
        fresh = await connector.refresh_token(
            Account(Platform.LINKEDIN, account.platform_account_id, soon)
        )
        assert fresh.access_token != old.access_token
        assert fresh.refresh_token == old.refresh_token  # fixed 365 days from first consent
        assert fresh.expires_at is not None
        assert fresh.refresh_expires_at is not None
        assert fresh.refresh_expires_at < dt.datetime.now(dt.UTC) + dt.timedelta(days=311)
        renewed = Account(Platform.LINKEDIN, account.platform_account_id, fresh)
        await connector.publish(renewed, _request())

    async def test_revoked_access_token_is_refreshed(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.revoke_token(account.credentials.access_token)
        fresh = await connector.refresh_token(account)
        assert fresh.access_token != account.credentials.access_token

    async def test_expired_refresh_token_needs_reconnect(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.advance_clock("366d")
        with pytest.raises(AuthExpired) as caught:
            await connector.refresh_token(account)
        assert "neu verbinden" in (caught.value.user_message or "")
        assert account.credentials.refresh_token not in str(caught.value)

    async def test_without_refresh_token_an_expired_token_is_auth_expired(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        sandbox_server.control.expire_token(account.credentials.access_token)
        bare = Account(
            Platform.LINKEDIN, account.platform_account_id,
            Credentials(access_token=account.credentials.access_token),
        )  # fmt: skip
        with pytest.raises(AuthExpired) as caught:
            await connector.refresh_token(bare)
        assert not caught.value.refreshable


class TestExists:
    async def test_reads_the_post_by_urn_without_deleting(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        result = await connector.publish(account, _request())
        assert await connector.exists(account, result.platform_post_id) is True
        assert sandbox_server.control.deletes() == []  # a read is no DELETE call
        await connector.delete(account, result.platform_post_id)
        assert await connector.exists(account, result.platform_post_id) is False  # 404
        assert await connector.exists(account, "urn:li:share:999999999") is False
        assert len(sandbox_server.control.deletes("linkedin")) == 1

    @pytest.mark.parametrize("how", ["expire", "revoke"])
    async def test_invalid_token_is_auth_expired(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account,
        how: str,
    ) -> None:  # fmt: skip
        result = await connector.publish(account, _request())
        getattr(sandbox_server.control, f"{how}_token")(account.credentials.access_token)
        with pytest.raises(AuthExpired) as caught:
            await connector.exists(account, result.platform_post_id)
        assert caught.value.http_status == 401
        assert caught.value.refreshable  # a refresh token exists

    async def test_throttling_and_server_errors(
        self, sandbox_server: SandboxServer, connector: LinkedInConnector, account: Account
    ) -> None:
        result = await connector.publish(account, _request())
        post = r"^/linkedin/rest/posts/urn.+$"
        sandbox_server.control.fault(
            "status", post, method="GET", status=429, headers={"Retry-After": "42"}, body=""
        )
        with pytest.raises(RateLimited) as throttled:
            await connector.exists(account, result.platform_post_id)
        assert throttled.value.retry_after == 42
        sandbox_server.control.fault("status", post, method="GET", status=504, body="")
        with pytest.raises(TransientError):
            await connector.exists(account, result.platform_post_id)
        assert sandbox_server.control.deletes() == []


@pytest.mark.parametrize(
    "text",
    [
        "Plain text",
        r"All reserved: \ | { } @ [ ] ( ) < > # * _ ~",
        "#Hashtag bleibt, C# nicht, E-Mail a_b@c.de, (Klammern)",
    ],
)
def test_little_escape_round_trips(text: str) -> None:
    little = escape(text)
    assert unescape(little) == text
    assert "#Hashtag" in escape("#Hashtag")
    assert escape("C# x") == "C\\# x"
