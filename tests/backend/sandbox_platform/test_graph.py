"""Graph personality (Facebook Pages + Instagram) over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fixtures.sandbox import SandboxServer

APP_ID = "1234567890"
APP_SECRET = "sandbox-app-secret"
REDIRECT = "https://klinikfunk.example/oauth/meta"


@pytest.fixture
def graph(sandbox_server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.graph_url, timeout=5) as client:
        yield client


@pytest.fixture
def user(sandbox_server: SandboxServer) -> dict[str, Any]:
    return sandbox_server.control.graph_user("Redaktion")


def assert_meta_error(response: httpx.Response, code: int, subcode: int | None = None) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error.get("error_subcode") == subcode
    assert {"message", "type", "fbtrace_id", "is_transient"} <= error.keys()


class TestOAuth:
    def test_code_short_lived_long_lived_and_page_tokens(self, graph: httpx.Client) -> None:
        redirect = graph.get(
            "/dialog/oauth",
            params={
                "client_id": APP_ID,
                "redirect_uri": REDIRECT,
                "state": "st",
                "scope": "pages_manage_posts",
            },
        )
        assert redirect.status_code == 302
        code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
        creds = {"client_id": APP_ID, "client_secret": APP_SECRET}
        short = graph.get(
            "/oauth/access_token", params=creds | {"code": code, "redirect_uri": REDIRECT}
        ).json()
        assert short["expires_in"] == 7200
        long = graph.get(
            "/oauth/access_token",
            params=creds
            | {"grant_type": "fb_exchange_token", "fb_exchange_token": short["access_token"]},
        ).json()
        assert long["expires_in"] == 5_183_944
        accounts = graph.get("/me/accounts", params={"access_token": long["access_token"]})
        page = accounts.json()["data"][0]
        assert page["name"] == "Klinikum Nord"
        assert page["access_token"]
        assert page["instagram_business_account"]["id"]
        bad = graph.get("/oauth/access_token", params=creds | {"code": code})
        assert_meta_error(bad, 100, 36009)

    def test_expired_token_is_190(
        self, sandbox_server: SandboxServer, graph: httpx.Client, user: dict[str, Any]
    ) -> None:
        sandbox_server.control.advance_clock("61d")
        response = graph.get("/me/accounts", params={"access_token": user["user_token"]})
        assert_meta_error(response, 190, 463)
        page_token = user["pages"][0]["access_token"]
        sandbox_server.control.revoke_token(page_token)
        response = graph.post(
            f"/{user['pages'][0]['id']}/feed",
            data={"message": "x"},
            headers={"Authorization": f"Bearer {page_token}"},
        )
        assert_meta_error(response, 190, 460)


class TestPages:
    def test_publish_find_in_feed_and_delete(
        self, sandbox_server: SandboxServer, graph: httpx.Client, user: dict[str, Any]
    ) -> None:
        page = user["pages"][0]
        auth = {"access_token": page["access_token"]}
        post = graph.post(f"/{page['id']}/feed", data=auth | {"message": "Tag der offenen Tür"})
        assert post.status_code == 200
        post_id = post.json()["id"]
        assert post_id.startswith(page["id"] + "_")
        photo = graph.post(
            f"/{page['id']}/photos",
            data=auth | {"url": "http://127.0.0.1/a.jpg", "caption": "Foto"},
        ).json()
        assert photo["post_id"]
        feed = graph.get(
            f"/{page['id']}/feed", params=auth | {"fields": "id,message,created_time"}
        ).json()
        assert [item["message"] for item in feed["data"]] == ["Foto", "Tag der offenen Tür"]
        node = graph.get(f"/{post_id}", params=auth | {"fields": "permalink_url"}).json()
        assert "Tag der offenen" in httpx.get(node["permalink_url"]).text
        assert sandbox_server.control.deletes() == []  # reads are not DELETE calls
        assert graph.delete(f"/{post_id}", params=auth).json() == {"success": True}
        assert_meta_error(graph.get(f"/{post_id}", params=auth), 100, 33)
        [call] = sandbox_server.control.deletes("facebook")
        assert (call["object_id"], call["deleted"]) == (post_id, True)
        assert len(sandbox_server.control.posts("facebook", page["id"])) == 1

    @pytest.mark.parametrize("form", ["indexed", "array"])
    def test_unpublished_photos_attach_to_one_feed_post(
        self, sandbox_server: SandboxServer, graph: httpx.Client, user: dict[str, Any], form: str
    ) -> None:
        page = user["pages"][0]
        auth = {"access_token": page["access_token"]}
        photo_ids = [
            graph.post(
                f"/{page['id']}/photos",
                data=auth | {"url": f"http://127.0.0.1/{n}.jpg", "published": "false"},
            ).json()["id"]
            for n in ("a", "b")
        ]
        refs = [{"media_fbid": photo_id} for photo_id in photo_ids]
        attached: dict[str, str] = (
            {f"attached_media[{i}]": json.dumps(ref) for i, ref in enumerate(refs)}
            if form == "indexed"
            else {"attached_media": json.dumps(refs)}
        )
        post = graph.post(f"/{page['id']}/feed", data=auth | {"message": "Rundgang"} | attached)
        assert post.status_code == 200, post.text
        node = graph.get(f"/{post.json()['id']}", params=auth | {"fields": "attachments"}).json()
        assert [a["target"]["id"] for a in node["attachments"]["data"]] == photo_ids
        assert len(sandbox_server.control.posts("facebook", page["id"])) == 1
        again = graph.post(f"/{page['id']}/feed", data=auth | {"message": "Nochmal"} | attached)
        assert_meta_error(again, 100)  # a photo belongs to one post only
        unknown = {"attached_media[0]": json.dumps({"media_fbid": "999"})}
        assert_meta_error(graph.post(f"/{page['id']}/feed", data=auth | unknown), 100)

    def test_duplicate_post_is_506_and_user_token_cannot_post(
        self, graph: httpx.Client, user: dict[str, Any]
    ) -> None:
        page = user["pages"][0]
        auth = {"access_token": page["access_token"]}
        assert graph.post(f"/{page['id']}/feed", data=auth | {"message": "Same"}).is_success
        assert_meta_error(graph.post(f"/{page['id']}/feed", data=auth | {"message": "Same"}), 506)
        with_user = graph.post(
            f"/{page['id']}/feed", data={"access_token": user["user_token"], "message": "x"}
        )
        assert_meta_error(with_user, 200)

    def test_usage_headers_and_throttling(
        self, sandbox_server: SandboxServer, graph: httpx.Client, user: dict[str, Any]
    ) -> None:
        sandbox_server.control.set_rate_limits(graph_object_calls_per_window=2)
        page = user["pages"][0]
        auth = {"access_token": page["access_token"]}
        first = graph.get(f"/{page['id']}/feed", params=auth)
        assert json.loads(first.headers["X-App-Usage"])["call_count"] >= 0
        buc = json.loads(first.headers["X-Business-Use-Case-Usage"])[page["id"]][0]
        assert buc["type"] == "pages"
        assert buc["call_count"] == 50
        graph.get(f"/{page['id']}/feed", params=auth)
        throttled = graph.get(f"/{page['id']}/feed", params=auth)
        assert_meta_error(throttled, 80001)
        assert throttled.json()["error"]["is_transient"] is True
        buc = json.loads(throttled.headers["X-Business-Use-Case-Usage"])[page["id"]][0]
        assert buc["call_count"] == 100
        assert buc["estimated_time_to_regain_access"] == 60
        sandbox_server.control.set_rate_limits(graph_app_calls_per_window=1)
        graph.get("/me", params=auth)
        assert_meta_error(graph.get("/me", params=auth), 4)


class TestInstagram:
    def test_container_polls_then_publish_and_quota(
        self, sandbox_server: SandboxServer, graph: httpx.Client, user: dict[str, Any]
    ) -> None:
        sandbox_server.control.configure(ig_container_polls_in_progress=2, ig_quota_total=1)
        ig = user["pages"][0]["instagram_business_account_id"]
        auth = {"access_token": user["pages"][0]["access_token"]}
        container = graph.post(
            f"/{ig}/media",
            data=auth | {"image_url": "http://127.0.0.1/x.jpg", "caption": "Neu: Kreißsaal"},
        ).json()["id"]
        early = graph.post(f"/{ig}/media_publish", data=auth | {"creation_id": container})
        assert_meta_error(early, 9007, 2207027)
        codes = [
            graph.get(f"/{container}", params=auth | {"fields": "status_code"}).json()[
                "status_code"
            ]
            for _ in range(3)
        ]
        assert codes == ["IN_PROGRESS", "IN_PROGRESS", "FINISHED"]
        media = graph.post(f"/{ig}/media_publish", data=auth | {"creation_id": container})
        assert media.status_code == 200
        status = graph.get(f"/{container}", params=auth | {"fields": "status_code"}).json()
        assert status["status_code"] == "PUBLISHED"
        limit = graph.get(f"/{ig}/content_publishing_limit", params=auth).json()
        assert limit["data"][0] == {
            "quota_usage": 1,
            "config": {"quota_total": 1, "quota_duration": 86400},
        }
        sandbox_server.control.configure(ig_container_polls_in_progress=0)
        second = graph.post(
            f"/{ig}/media", data=auth | {"image_url": "http://127.0.0.1/y.jpg"}
        ).json()["id"]
        over = graph.post(f"/{ig}/media_publish", data=auth | {"creation_id": second})
        assert_meta_error(over, 9, 2207042)
        assert [p["text"] for p in sandbox_server.control.posts("instagram")] == ["Neu: Kreißsaal"]

    def test_media_errors(self, graph: httpx.Client, user: dict[str, Any]) -> None:
        ig = user["pages"][0]["instagram_business_account_id"]
        auth = {"access_token": user["pages"][0]["access_token"]}
        png = graph.post(f"/{ig}/media", data=auth | {"image_url": "http://127.0.0.1/a.png"})
        assert_meta_error(png, 9004, 2207005)
        long = graph.post(
            f"/{ig}/media",
            data=auth | {"image_url": "http://127.0.0.1/a.jpg", "caption": "x" * 2201},
        )
        assert_meta_error(long, 100, 2207010)
