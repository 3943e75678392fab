"""Control API over real HTTP: injected faults (status, latency, hang, drop, drop after
create), virtual clock, signed webhooks and the HTML post view."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest
from fixtures.sandbox import SandboxServer


@pytest.fixture
def api(sandbox_server: SandboxServer) -> Iterator[httpx.Client]:
    token = sandbox_server.control.mastodon_account("faults")["access_token"]
    with httpx.Client(
        base_url=sandbox_server.mastodon_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ) as client:
        yield client


class TestFaults:
    def test_status_fault_for_next_n_matching_requests(
        self, sandbox_server: SandboxServer, api: httpx.Client
    ) -> None:
        sandbox_server.control.fault(
            "status",
            r"/api/v1/statuses$",
            method="POST",
            times=2,
            status=503,
            body={"error": "Service Unavailable"},
        )
        assert api.get("/api/v1/accounts/verify_credentials").status_code == 200
        for _ in range(2):
            response = api.post("/api/v1/statuses", data={"status": "x"})
            assert response.status_code == 503
            assert response.json() == {"error": "Service Unavailable"}
        assert api.post("/api/v1/statuses", data={"status": "x"}).status_code == 200
        assert len(sandbox_server.control.posts("mastodon")) == 1

    def test_latency(self, sandbox_server: SandboxServer, api: httpx.Client) -> None:
        sandbox_server.control.fault("latency", "verify_credentials", latency_ms=300)
        started = time.monotonic()
        assert api.get("/api/v1/accounts/verify_credentials").status_code == 200
        assert time.monotonic() - started >= 0.3

    def test_hang_until_client_times_out(
        self, sandbox_server: SandboxServer, api: httpx.Client
    ) -> None:
        sandbox_server.control.fault("hang", "verify_credentials", hang_seconds=30)
        with pytest.raises(httpx.ReadTimeout):
            api.get("/api/v1/accounts/verify_credentials", timeout=0.3)
        assert api.get("/api/v1/accounts/verify_credentials").status_code == 200

    def test_drop_without_side_effect(
        self, sandbox_server: SandboxServer, api: httpx.Client
    ) -> None:
        sandbox_server.control.fault("drop", r"/api/v1/statuses$")
        with pytest.raises(httpx.TransportError):
            api.post("/api/v1/statuses", data={"status": "weg"})
        assert sandbox_server.control.posts("mastodon") == []

    def test_drop_after_create_mastodon_then_idempotent_retry(
        self, sandbox_server: SandboxServer, api: httpx.Client
    ) -> None:
        sandbox_server.control.fault("drop_after_create", r"/api/v1/statuses$", method="POST")
        headers = {"Idempotency-Key": "publication-7"}
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/api/v1/statuses", data={"status": "Einmal"}, headers=headers)
        posts = sandbox_server.control.posts("mastodon")
        assert [p["text"] for p in posts] == ["Einmal"]
        retry = api.post("/api/v1/statuses", data={"status": "Einmal"}, headers=headers)
        assert retry.json()["id"] == posts[0]["id"]
        assert len(sandbox_server.control.posts("mastodon")) == 1

    def test_drop_after_create_facebook_then_reconcile_via_feed(
        self, sandbox_server: SandboxServer
    ) -> None:
        page = sandbox_server.control.graph_user()["pages"][0]
        auth = {"access_token": page["access_token"]}
        sandbox_server.control.fault("drop_after_create", r"/feed$", method="POST")
        with httpx.Client(base_url=sandbox_server.graph_url, timeout=5) as graph:
            with pytest.raises(httpx.TransportError):
                graph.post(f"/{page['id']}/feed", data=auth | {"message": "Marker-123"})
            feed = graph.get(f"/{page['id']}/feed", params=auth).json()["data"]
            assert [p["message"] for p in feed] == ["Marker-123"]
            blind_retry = graph.post(f"/{page['id']}/feed", data=auth | {"message": "Marker-123"})
            assert blind_retry.json()["error"]["code"] == 506
        assert len(sandbox_server.control.posts("facebook", page["id"])) == 1

    def test_control_api_is_never_faulted(self, sandbox_server: SandboxServer) -> None:
        sandbox_server.control.fault("status", ".*", times=5)
        assert sandbox_server.control.posts() == []
        assert sandbox_server.control.state()["faults"][0]["times"] == 5


class TestClockAndReset:
    def test_date_header_is_virtual_time(self, sandbox_server: SandboxServer) -> None:
        sandbox_server.control.advance_clock("2d")
        now = datetime.fromisoformat(sandbox_server.control.state()["now"])
        for path in ("/mastodon/api/v2/instance", "/graph/v25.0/me"):
            response = httpx.get(sandbox_server.base_url + path)
            dates = response.headers.get_list("date")
            assert len(dates) == 1
            assert abs((parsedate_to_datetime(dates[0]) - now).total_seconds()) < 5

    def test_advance_and_reset(self, sandbox_server: SandboxServer) -> None:
        before = httpx.get(sandbox_server.base_url + "/_control/clock").json()["now"]
        after = sandbox_server.control.advance_clock("2h")
        assert after > before
        sandbox_server.control.mastodon_account("temp")
        sandbox_server.control.reset()
        state = sandbox_server.control.state()
        assert [a["username"] for a in state["mastodon"]["accounts"]] == ["klinikum_nord"]
        assert state["now"] < after


class TestWebhooks:
    def test_signed_delivery_over_exact_bytes(self, sandbox_server: SandboxServer) -> None:
        entry = [
            {
                "id": "1",
                "time": 1700000000,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "message": "Danke für die Pflege! 💐",
                        },
                    }
                ],
            }
        ]
        delivery = sandbox_server.control.deliver_webhook(
            entry, url=sandbox_server.base_url + "/_control/webhooks/echo"
        )
        assert delivery["status"] == 200
        received = sandbox_server.control.state()["webhooks"]["inbox"][0]
        expected = hmac.new(
            b"sandbox-app-secret", received["body"].encode(), hashlib.sha256
        ).hexdigest()
        assert received["signature"] == f"sha256={expected}"
        assert "💐" in received["body"]


class TestCommentAndMessageWebhooks:
    def echo(self, sandbox_server: SandboxServer) -> str:
        return sandbox_server.base_url + "/_control/webhooks/echo"

    def test_comment_is_created_and_delivered_signed(self, sandbox_server: SandboxServer) -> None:
        control = sandbox_server.control
        result = control.graph_comment(
            message="Wann ist Besuchszeit? 🙂", url=self.echo(sandbox_server)
        )

        [delivery] = result["deliveries"]
        assert delivery["status"] == 200
        [received] = control.state()["webhooks"]["inbox"]
        body = received["body"].encode()
        expected = hmac.new(b"sandbox-app-secret", body, hashlib.sha256).hexdigest()
        assert received["signature"] == f"sha256={expected}"
        envelope = json.loads(body)
        [entry] = envelope["entry"]
        value = entry["changes"][0]["value"]
        page = control.state()["graph"]["pages"][0]
        assert envelope["object"] == "page"
        assert entry["id"] == page["id"]
        assert value["comment_id"] == result["comment"]["id"]
        assert value["post_id"] == value["parent_id"] == result["comment"]["post_id"]
        assert value["message"] == "Wann ist Besuchszeit? 🙂"
        assert control.state()["graph"]["comments"][0]["id"] == value["comment_id"]

    def test_twice_and_bad_signature(self, sandbox_server: SandboxServer) -> None:
        control = sandbox_server.control
        control.graph_comment(
            message="Hallo", times=2, bad_signature=True, url=self.echo(sandbox_server)
        )

        first, second = control.state()["webhooks"]["inbox"]
        assert first == second
        good = hmac.new(b"sandbox-app-secret", first["body"].encode(), hashlib.sha256).hexdigest()
        assert first["signature"] != f"sha256={good}"

    def test_edit_and_remove(self, sandbox_server: SandboxServer) -> None:
        control = sandbox_server.control
        url = self.echo(sandbox_server)
        created = control.graph_comment(message="Hallo", url=url)["comment"]
        control.graph_comment(verb="edited", comment_id=created["id"], message="Hallo!", url=url)
        control.graph_comment(verb="remove", comment_id=created["id"], url=url)

        verbs = [
            json.loads(r["body"])["entry"][0]["changes"][0]["value"]["verb"]
            for r in control.state()["webhooks"]["inbox"]
        ]
        assert verbs == ["add", "edited", "remove"]
        assert control.state()["graph"]["comments"] == []

    def test_messenger_message(self, sandbox_server: SandboxServer) -> None:
        control = sandbox_server.control
        result = control.graph_message(
            text="Termin?", sender_id="psid-9", url=self.echo(sandbox_server)
        )

        [received] = control.state()["webhooks"]["inbox"]
        [event] = json.loads(received["body"])["entry"][0]["messaging"]
        assert event["sender"] == {"id": "psid-9"}
        assert event["message"] == {"mid": result["message"]["mid"], "text": "Termin?"}

    def test_without_url_is_refused(self, sandbox_server: SandboxServer) -> None:
        with pytest.raises(httpx.HTTPStatusError):
            sandbox_server.control.graph_comment(message="Hallo")


def test_post_page_404_for_unknown(sandbox_server: SandboxServer) -> None:
    response = httpx.get(sandbox_server.base_url + "/posts/mastodon/1")
    assert response.status_code == 404
    assert "nicht gefunden" in response.text
