"""LinkedIn personality over real HTTP: OAuth (code, refresh without extending the refresh
token), organizationAcls, versioned-API headers, images, posts (create, get, finder, delete),
little-text truncation, duplicates, daily 429s, token expiry and drop-after-create."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from fixtures.sandbox import SandboxServer

REDIRECT = "https://klinikfunk.example/api/v1/channels/callback/linkedin"
CLIENT = {"client_id": "sandbox-linkedin-client", "client_secret": "sandbox-linkedin-secret"}
VERSIONED = {"LinkedIn-Version": "202510", "X-Restli-Protocol-Version": "2.0.0"}


@pytest.fixture
def member(sandbox_server: SandboxServer) -> dict[str, Any]:
    return sandbox_server.control.linkedin_member(
        "Redaktion", [{"name": "Klinikum Ost"}, {"name": "Stiftung", "role": "ANALYST"}]
    )


@pytest.fixture
def api(sandbox_server: SandboxServer, member: dict[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=sandbox_server.linkedin_url,
        headers={"Authorization": f"Bearer {member['access_token']}", **VERSIONED},
        timeout=5,
    ) as client:
        yield client


def _post(author: str, commentary: str = "Hallo", **extra: Any) -> dict[str, Any]:
    return {
        "author": author, "commentary": commentary, "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": []},
        "lifecycleState": "PUBLISHED", **extra,
    }  # fmt: skip


class TestOAuth:
    def test_code_exchange_and_refresh_keep_the_refresh_expiry(
        self, sandbox_server: SandboxServer
    ) -> None:
        with httpx.Client(base_url=sandbox_server.linkedin_url + "/oauth/v2", timeout=5) as web:
            redirect = web.get(
                "/authorization",
                params={
                    "response_type": "code", "client_id": CLIENT["client_id"],
                    "redirect_uri": REDIRECT, "state": "s1",
                    "scope": "w_organization_social r_organization_social rw_organization_admin",
                },
            )  # fmt: skip
            assert redirect.status_code == 302
            query = parse_qs(urlsplit(redirect.headers["location"]).query)
            assert query["state"] == ["s1"]
            form = {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT, **CLIENT}  # fmt: skip
            tokens = web.post("/accessToken", data=form).json()
            assert tokens["expires_in"] == 5_184_000
            assert tokens["refresh_token_expires_in"] == 31_536_000
            assert "w_organization_social" in tokens["scope"]
            again = web.post("/accessToken", data=form)
            assert again.status_code == 400
            assert again.json()["error"] == "invalid_request"

            sandbox_server.control.advance_clock("30d")
            refreshed = web.post(
                "/accessToken",
                data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], **CLIENT},
            ).json()  # fmt: skip
            assert refreshed["access_token"] != tokens["access_token"]
            assert refreshed["refresh_token"] == tokens["refresh_token"]
            assert refreshed["refresh_token_expires_in"] == 31_536_000 - 30 * 86_400

            wrong = web.post("/accessToken", data={**form, "client_secret": "nope"})
            assert wrong.status_code == 401
            assert wrong.json()["error"] == "invalid_client"

    def test_unknown_client_is_refused(self, sandbox_server: SandboxServer) -> None:
        response = httpx.get(
            sandbox_server.linkedin_url + "/oauth/v2/authorization",
            params={"response_type": "code", "client_id": "x", "redirect_uri": REDIRECT},
        )
        assert response.status_code == 400


class TestOrganizations:
    def test_acls_list_every_role_and_organizations_resolve(
        self, api: httpx.Client, member: dict[str, Any]
    ) -> None:
        body = api.get("/rest/organizationAcls", params={"q": "roleAssignee", "state": "APPROVED"}).json()  # fmt: skip
        roles = {e["organization"]: e["role"] for e in body["elements"]}
        assert roles == {o["urn"]: o["role"] for o in member["organizations"]}
        org = api.get(f"/rest/organizations/{member['organizations'][0]['id']}").json()
        assert org["localizedName"] == "Klinikum Ost"
        assert org["vanityName"] == "klinikum-ost"

    def test_versioned_headers_are_required(self, sandbox_server: SandboxServer, member: dict[str, Any]) -> None:  # fmt: skip
        auth = {"Authorization": f"Bearer {member['access_token']}"}
        url = f"{sandbox_server.linkedin_url}/rest/organizations/{member['organizations'][0]['id']}"
        missing = httpx.get(url, headers=auth)
        assert missing.status_code == 400
        assert missing.json()["code"] == "VERSION_MISSING"
        bad = httpx.get(url, headers={**auth, **VERSIONED, "LinkedIn-Version": "2025"})
        assert bad.status_code == 426
        no_restli = httpx.get(url, headers={**auth, "LinkedIn-Version": "202510"})
        assert no_restli.status_code == 400


class TestPosts:
    def test_create_get_find_and_delete(
        self, sandbox_server: SandboxServer, api: httpx.Client, member: dict[str, Any]
    ) -> None:
        org = member["organizations"][0]["urn"]
        created = api.post("/rest/posts", json=_post(org, "Hallo \\(Welt\\) #Pflege"))
        assert created.status_code == 201
        urn = created.headers["x-restli-id"]
        assert urn.startswith("urn:li:share:")
        post = api.get(f"/rest/posts/{quote(urn, safe='')}").json()
        assert post["commentary"] == "Hallo \\(Welt\\) #Pflege"
        assert post["author"] == org
        found = api.get(
            "/rest/posts", params={"q": "author", "author": org, "count": 10},
            headers={"X-RestLi-Method": "FINDER"},
        ).json()  # fmt: skip
        assert [e["id"] for e in found["elements"]] == [urn]
        assert sandbox_server.control.posts("linkedin", org)[0]["text"] == "Hallo (Welt) #Pflege"
        page = httpx.get(f"{sandbox_server.linkedin_url}/feed/update/{urn}")
        assert "Hallo (Welt) #Pflege" in page.text
        assert sandbox_server.control.deletes() == []  # reads are not DELETE calls
        assert api.delete(f"/rest/posts/{quote(urn, safe='')}").status_code == 204
        assert api.delete(f"/rest/posts/{quote(urn, safe='')}").status_code == 404
        assert api.get(f"/rest/posts/{quote(urn, safe='')}").status_code == 404
        assert sandbox_server.control.posts("linkedin", org) == []
        calls = sandbox_server.control.deletes("linkedin")
        assert [(c["object_id"], c["account_id"], c["deleted"]) for c in calls] == [
            (urn, org, True),
            (urn, None, False),
        ]
        assert httpx.get(f"{sandbox_server.base_url}/posts/linkedin/{urn}").status_code == 404

    def test_unescaped_reserved_character_truncates(
        self, sandbox_server: SandboxServer, api: httpx.Client, member: dict[str, Any]
    ) -> None:
        org = member["organizations"][0]["urn"]
        api.post("/rest/posts", json=_post(org, "Sprechstunde_Mo: 8 Uhr"))
        assert sandbox_server.control.posts("linkedin", org)[0]["text"] == "Sprechstunde"

    def test_duplicate_commentary_names_the_existing_post(
        self, api: httpx.Client, member: dict[str, Any]
    ) -> None:
        org = member["organizations"][0]["urn"]
        urn = api.post("/rest/posts", json=_post(org)).headers["x-restli-id"]
        again = api.post("/rest/posts", json=_post(org))
        assert again.status_code == 422
        body = again.json()
        assert body["errorDetails"]["inputErrors"][0]["code"] == "DUPLICATE_POST"
        assert body["message"] == f"Content is a duplicate of {urn}"

    def test_validation_and_roles(self, api: httpx.Client, member: dict[str, Any]) -> None:
        org, analyst_org = (o["urn"] for o in member["organizations"])
        too_long = api.post("/rest/posts", json=_post(org, "x" * 3001))
        assert too_long.status_code == 422
        assert too_long.json()["errorDetails"]["inputErrors"][0]["code"] == "MAX_LENGTH_EXCEEDED"
        forbidden = api.post("/rest/posts", json=_post(analyst_org))
        assert forbidden.status_code == 403
        assert forbidden.json()["code"] == "ACCESS_DENIED"

    def test_image_upload_then_post(self, sandbox_server: SandboxServer, api: httpx.Client, member: dict[str, Any]) -> None:  # fmt: skip
        sandbox_server.control.configure(linkedin_image_polls_processing=1)
        org = member["organizations"][0]["urn"]
        value = api.post(
            "/rest/images", params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": org}},
        ).json()["value"]  # fmt: skip
        image = value["image"]
        early = api.post("/rest/posts", json=_post(org, content={"media": {"id": image}}))
        assert early.status_code == 422
        put = httpx.put(value["uploadUrl"], content=b"png", headers={"Authorization": api.headers["Authorization"]})  # fmt: skip
        assert put.status_code == 201
        path = f"/rest/images/{quote(image, safe='')}"
        assert api.get(path).json()["status"] == "PROCESSING"
        assert api.get(path).json()["status"] == "AVAILABLE"
        content = {"media": {"id": image, "altText": "Foyer"}}
        assert api.post("/rest/posts", json=_post(org, content=content)).status_code == 201
        # an image belongs to one post
        assert api.post("/rest/posts", json=_post(org, "b", content=content)).status_code == 422


class TestLimitsAndFaults:
    def test_expired_and_revoked_tokens_are_401(
        self, sandbox_server: SandboxServer, api: httpx.Client, member: dict[str, Any]
    ) -> None:
        org_path = f"/rest/organizations/{member['organizations'][0]['id']}"
        sandbox_server.control.advance_clock("61d")
        expired = api.get(org_path)
        assert expired.status_code == 401
        assert expired.json()["code"] == "EXPIRED_ACCESS_TOKEN"
        sandbox_server.control.revoke_token(member["access_token"])
        assert api.get(org_path).json()["code"] == "REVOKED_ACCESS_TOKEN"

    def test_daily_limits_answer_429_without_headers_until_midnight(
        self, sandbox_server: SandboxServer, api: httpx.Client, member: dict[str, Any]
    ) -> None:
        sandbox_server.control.set_rate_limits(linkedin_member_calls_per_day=1)
        org_path = f"/rest/organizations/{member['organizations'][0]['id']}"
        assert api.get(org_path).status_code == 200
        limited = api.get(org_path)
        assert limited.status_code == 429
        assert limited.json()["serviceErrorCode"] == 101
        assert "MEMBER DAY limit" in limited.json()["message"]
        assert not any(
            k.lower().startswith(("retry-after", "x-ratelimit")) for k in limited.headers
        )
        sandbox_server.control.advance_clock("1d")
        assert api.get(org_path).status_code == 200

    def test_drop_after_create_keeps_the_post(
        self, sandbox_server: SandboxServer, api: httpx.Client, member: dict[str, Any]
    ) -> None:
        org = member["organizations"][0]["urn"]
        sandbox_server.control.fault("drop_after_create", r"^/linkedin/rest/posts$", method="POST")
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/rest/posts", json=_post(org))
        assert len(sandbox_server.control.posts("linkedin", org)) == 1
