"""Mastodon personality over real HTTP: OAuth, media processing, statuses, idempotency,
expired tokens, rate limits and validation errors."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fixtures.sandbox import SandboxServer

REDIRECT = "https://klinikfunk.example/oauth/mastodon"


@pytest.fixture
def account(sandbox_server: SandboxServer) -> dict[str, str]:
    return sandbox_server.control.mastodon_account("uniklinik")


@pytest.fixture
def api(sandbox_server: SandboxServer, account: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox_server.mastodon_url,
        headers={"Authorization": f"Bearer {account['access_token']}"},
        timeout=5,
    ) as client:
        yield client


class TestOAuth:
    def test_app_registration_authorize_and_token_with_pkce(
        self, sandbox_server: SandboxServer
    ) -> None:
        with httpx.Client(base_url=sandbox_server.mastodon_url, timeout=5) as client:
            app = client.post(
                "/api/v1/apps",
                data={
                    "client_name": "Klinikfunk",
                    "redirect_uris": REDIRECT,
                    "scopes": "write:statuses write:media profile",
                },
            ).json()
            verifier = "v" * 50
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            redirect = client.get(
                "/oauth/authorize",
                params={
                    "response_type": "code",
                    "client_id": app["client_id"],
                    "redirect_uri": REDIRECT,
                    "scope": "write:statuses write:media profile",
                    "state": "s1",
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                },
            )
            assert redirect.status_code == 302
            query = parse_qs(urlsplit(redirect.headers["location"]).query)
            assert query["state"] == ["s1"]
            form = {
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": REDIRECT,
            }
            assert client.post("/oauth/token", data=form).status_code == 400  # no verifier
            token = client.post("/oauth/token", data=form | {"code_verifier": verifier})
            assert token.status_code == 200
            assert token.json()["token_type"] == "Bearer"
            me = client.get(
                "/api/v1/accounts/verify_credentials",
                headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            )
            assert me.status_code == 200
            assert me.json()["username"] == "klinikum_nord"
            again = client.post("/oauth/token", data=form | {"code_verifier": verifier})
            assert again.json()["error"] == "invalid_grant"

    def test_expired_and_revoked_tokens_get_401(
        self, sandbox_server: SandboxServer, api: httpx.Client, account: dict[str, str]
    ) -> None:
        assert api.get("/api/v1/accounts/verify_credentials").status_code == 200
        sandbox_server.control.expire_token(account["access_token"])
        response = api.get("/api/v1/accounts/verify_credentials")
        assert response.status_code == 401
        assert response.json() == {"error": "The access token is invalid"}
        other = sandbox_server.control.mastodon_account("zweite")
        sandbox_server.control.revoke_token(other["access_token"])
        response = api.post(
            "/api/v1/statuses",
            data={"status": "x"},
            headers={"Authorization": f"Bearer {other['access_token']}"},
        )
        assert response.status_code == 401


class TestStatuses:
    def test_publish_read_list_delete(
        self, sandbox_server: SandboxServer, api: httpx.Client, account: dict[str, str]
    ) -> None:
        created = api.post(
            "/api/v1/statuses",
            json={"status": "Besuchszeiten: täglich 10–18 Uhr", "language": "de"},
        )
        assert created.status_code == 200
        status = created.json()
        assert status["content"] == "<p>Besuchszeiten: täglich 10–18 Uhr</p>"
        assert status["account"]["id"] == account["account_id"]
        assert api.get(f"/api/v1/statuses/{status['id']}").json()["id"] == status["id"]
        listing = api.get(f"/api/v1/accounts/{account['account_id']}/statuses")
        assert [s["id"] for s in listing.json()] == [status["id"]]
        page = httpx.get(status["url"])
        assert page.status_code == 200
        assert "Besuchszeiten" in page.text
        assert sandbox_server.control.deletes() == []  # reads are not DELETE calls
        deleted = api.delete(f"/api/v1/statuses/{status['id']}")
        assert deleted.json()["text"] == "Besuchszeiten: täglich 10–18 Uhr"
        assert api.get(f"/api/v1/statuses/{status['id']}").status_code == 404
        [call] = sandbox_server.control.deletes("mastodon")
        assert (call["object_id"], call["deleted"]) == (status["id"], True)
        assert sandbox_server.control.posts("mastodon") == []

    def test_content_is_rendered_like_mastodon(
        self, sandbox_server: SandboxServer, api: httpx.Client
    ) -> None:
        text = (
            "Jobs & mehr:\nhttps://www.klinikum.example/karriere/pflege?utm_source=m&x=1.\n\n"
            "#Pflege mit @team@social.example"
        )
        content = api.post("/api/v1/statuses", json={"status": text}).json()["content"]
        assert content == (
            "<p>Jobs &amp; mehr:<br />"
            '<a href="https://www.klinikum.example/karriere/pflege?utm_source=m&amp;x=1" '
            'target="_blank" rel="nofollow noopener" translate="no">'
            '<span class="invisible">https://www.</span>'
            '<span class="ellipsis">klinikum.example/karriere/pfle</span>'
            '<span class="invisible">ge?utm_source=m&amp;x=1</span></a>.</p>'
            f'<p><a href="{sandbox_server.mastodon_url}/tags/pflege" class="mention hashtag" '
            'rel="tag">#<span>Pflege</span></a> mit <span class="h-card" translate="no">'
            '<a href="https://social.example/@team" class="u-url mention">@<span>team</span>'
            "</a></span></p>"
        )

    def test_idempotency_key_returns_same_status_within_an_hour(
        self, sandbox_server: SandboxServer, api: httpx.Client, account: dict[str, str]
    ) -> None:
        headers = {"Idempotency-Key": "pub-42"}
        first = api.post("/api/v1/statuses", data={"status": "Hallo"}, headers=headers).json()
        second = api.post("/api/v1/statuses", data={"status": "Hallo"}, headers=headers).json()
        assert first["id"] == second["id"]
        assert len(sandbox_server.control.posts("mastodon", account["account_id"])) == 1
        sandbox_server.control.advance_clock("61m")
        third = api.post("/api/v1/statuses", data={"status": "Hallo"}, headers=headers).json()
        assert third["id"] != first["id"]
        assert len(sandbox_server.control.posts("mastodon", account["account_id"])) == 2

    def test_validation_errors_are_422(self, api: httpx.Client) -> None:
        too_long = api.post("/api/v1/statuses", data={"status": "a" * 501})
        assert too_long.status_code == 422
        assert too_long.json() == {
            "error": "Validation failed: Text character limit of 500 exceeded"
        }
        url = "https://klinikum.example/" + "x" * 600
        assert api.post("/api/v1/statuses", data={"status": url}).status_code == 200
        blank = api.post("/api/v1/statuses", data={"status": " "})
        assert blank.json() == {"error": "Validation failed: Text can't be blank"}


class TestMedia:
    def test_processing_202_then_206_then_200_on_the_virtual_clock(
        self, sandbox_server: SandboxServer, api: httpx.Client
    ) -> None:
        sandbox_server.control.configure(mastodon_media_processing_seconds=30)
        upload = api.post(
            "/api/v2/media",
            files={"file": ("clip.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")},
            data={"description": "Rundgang durch die Station"},
        )
        assert upload.status_code == 202
        media = upload.json()
        assert media["url"] is None
        assert media["description"] == "Rundgang durch die Station"
        assert api.get(f"/api/v1/media/{media['id']}").status_code == 206
        early = api.post("/api/v1/statuses", data={"status": "Video", "media_ids[]": media["id"]})
        assert early.status_code == 422
        sandbox_server.control.advance_clock(31)
        ready = api.get(f"/api/v1/media/{media['id']}")
        assert ready.status_code == 200
        assert ready.json()["url"].endswith(".mp4")
        status = api.post("/api/v1/statuses", data={"status": "Video", "media_ids[]": media["id"]})
        assert status.status_code == 200
        assert status.json()["media_attachments"][0]["id"] == media["id"]

    def test_image_without_delay_is_200_and_bad_type_is_422(self, api: httpx.Client) -> None:
        image = api.post("/api/v2/media", files={"file": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")})
        assert image.status_code == 200
        assert image.json()["type"] == "image"
        text = api.post("/api/v2/media", files={"file": ("a.txt", b"hi", "text/plain")})
        assert text.status_code == 422


class TestRateLimit:
    def test_headers_on_every_response_and_429_when_exhausted(
        self, sandbox_server: SandboxServer, api: httpx.Client
    ) -> None:
        sandbox_server.control.set_rate_limits(mastodon_rate_limit=3)
        first = api.get("/api/v1/accounts/verify_credentials")
        assert first.headers["X-RateLimit-Limit"] == "3"
        assert first.headers["X-RateLimit-Remaining"] == "2"
        assert first.headers["X-RateLimit-Reset"].endswith("Z")
        assert api.get("/api/v1/statuses/1").status_code == 404  # still counted, still headed
        api.get("/api/v1/accounts/verify_credentials")
        limited = api.get("/api/v1/accounts/verify_credentials")
        assert limited.status_code == 429
        assert limited.json() == {"error": "Too many requests"}
        assert limited.headers["X-RateLimit-Remaining"] == "0"
        sandbox_server.control.advance_clock("5m")
        assert api.get("/api/v1/accounts/verify_credentials").status_code == 200
