"""The Meta webhook endpoint (SEC-18): handshake, signature over the raw body, durable storage
and one processing job per new delivery, duplicates absorbed."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from fixtures.helpers import assert_problem
from webhooks.support import (
    SECRET,
    URL,
    VERIFY_TOKEN,
    comment,
    config,
    envelope,
    events,
    page_id,
    post_signed,
    webhook_jobs,
)

from app.kit.db import Database
from app.webhooks.meta import sign
from app.webhooks.models import WebhookEventStatus
from app.webhooks.settings import meta_webhook_config


def handshake(mode: str = "subscribe", token: str = VERIFY_TOKEN) -> dict[str, str]:
    return {"hub.mode": mode, "hub.challenge": "1158201444", "hub.verify_token": token}


class TestHandshake:
    async def test_matching_token_echoes_the_challenge(self, client: httpx.AsyncClient) -> None:
        response = await client.get(URL, params=handshake())

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "1158201444"

    async def test_wrong_token_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get(URL, params=handshake(token="geraten"))

        body = assert_problem(response, 403)
        assert "1158201444" not in response.text
        assert body["type"].endswith("webhook-verification-failed")

    async def test_other_mode_is_refused(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get(URL, params=handshake(mode="unsubscribe")), 403)

    async def test_no_configured_token_refuses_everything(self, app, client) -> None:  # type: ignore[no-untyped-def]
        app.dependency_overrides[meta_webhook_config] = lambda: config(token=None)

        assert_problem(await client.get(URL, params=handshake(token="")), 403)


class TestSignature:
    async def test_valid_signature_is_stored_with_one_job(
        self, client: httpx.AsyncClient, database: Database
    ) -> None:
        body = envelope(comment(page_id(), "Wann sind die Besuchszeiten? Grüße, Jürgen"))

        response = await post_signed(client, body)

        assert response.status_code == 200, response.text
        assert response.json() == {"stored": True}
        [event] = await events(database)
        assert event.body == body  # byte for byte, non-ASCII included
        assert event.provider == "meta"
        assert event.object == "page"
        assert event.status is WebhookEventStatus.received
        assert len(await webhook_jobs(database)) == 1

    @pytest.mark.parametrize(
        "signature",
        [
            "sha256=" + "0" * 64,
            sign("another-secret", b"{}"),
            "sha1=abcdef",
            "garbage",
        ],
    )
    async def test_invalid_signature_is_refused_and_nothing_stored(
        self,
        client: httpx.AsyncClient,
        database: Database,
        signature: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        body = envelope(comment(page_id(), "Geheimer Inhalt"))

        with caplog.at_level(logging.WARNING, logger="klinikfunk.webhooks"):
            response = await post_signed(client, body, signature=signature)

        assert_problem(response, 403)
        assert await events(database) == []
        assert await webhook_jobs(database) == []
        assert "signature invalid" in caplog.text
        assert "Geheimer Inhalt" not in caplog.text  # logged without the body

    async def test_wrong_secret_is_refused(
        self, client: httpx.AsyncClient, database: Database
    ) -> None:
        body = envelope(comment(page_id(), "Hallo"))

        assert_problem(await post_signed(client, body, secret="not-" + SECRET), 403)
        assert await events(database) == []

    async def test_missing_signature_is_refused(
        self, client: httpx.AsyncClient, database: Database
    ) -> None:
        body = envelope(comment(page_id(), "Hallo"))

        response = await client.post(URL, content=body)

        body_json = assert_problem(response, 401)
        assert body_json["type"].endswith("webhook-signature-missing")
        assert await events(database) == []
        assert await webhook_jobs(database) == []

    async def test_replay_with_tampered_body_is_refused(
        self, client: httpx.AsyncClient, database: Database
    ) -> None:
        original = envelope(comment(page_id(), "Danke für die tolle Pflege!"))
        signature = sign(SECRET, original)
        assert (await post_signed(client, original, signature=signature)).status_code == 200
        tampered = original.replace(b"tolle", b"schlechte")

        assert_problem(await post_signed(client, tampered, signature=signature), 403)

        [event] = await events(database)
        assert event.body == original
        assert len(await webhook_jobs(database)) == 1

    async def test_reserialised_json_fails_the_check(
        self, client: httpx.AsyncClient, database: Database
    ) -> None:
        """The signature covers the exact bytes: escaping the umlauts changes them."""
        raw = envelope(comment(page_id(), "Grüße"))
        escaped = json.dumps(json.loads(raw)).encode()

        assert_problem(await post_signed(client, escaped, signature=sign(SECRET, raw)), 403)
        assert await events(database) == []

    async def test_body_over_the_limit_is_refused(self, client: httpx.AsyncClient) -> None:
        body = b"{" + b" " * (4 * 1024 * 1024) + b"}"

        assert_problem(await post_signed(client, body), 413)


class TestDuplicates:
    async def test_same_delivery_twice_is_one_row_and_one_job(
        self, client: httpx.AsyncClient, database: Database
    ) -> None:
        body = envelope(comment(page_id(), "Wo kann ich parken?"))

        first = await post_signed(client, body)
        second = await post_signed(client, body)

        assert first.json() == {"stored": True}
        assert second.status_code == 200
        assert second.json() == {"stored": False}
        assert len(await events(database)) == 1
        assert len(await webhook_jobs(database)) == 1

    async def test_same_ids_in_other_bytes_are_one_row(
        self, client: httpx.AsyncClient, database: Database
    ) -> None:
        """A retry re-encoded by the platform (key order, spacing) carries the same ids."""
        entry = comment(page_id(), "Wo kann ich parken?")
        compact = json.dumps({"object": "page", "entry": [entry]}, separators=(",", ":"))

        await post_signed(client, envelope(entry))
        await post_signed(client, compact.encode())

        assert len(await events(database)) == 1

    async def test_concurrent_duplicates_are_one_row(
        self, client: httpx.AsyncClient, database: Database
    ) -> None:
        import asyncio

        body = envelope(comment(page_id(), "Wo kann ich parken?"))

        responses = await asyncio.gather(*(post_signed(client, body) for _ in range(5)))

        assert all(r.status_code == 200 for r in responses)
        assert sum(r.json()["stored"] for r in responses) == 1
        assert len(await events(database)) == 1
        assert len(await webhook_jobs(database)) == 1
