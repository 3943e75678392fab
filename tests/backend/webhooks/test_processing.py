"""Processing stored deliveries into inbox threads: comments, Messenger and Instagram, edits and
removals, out-of-order and duplicate events, unknown accounts, retries."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fixtures.world import World
from webhooks.support import (
    comment,
    envelope,
    events,
    make_channel,
    messages,
    page_id,
    post_signed,
    run_worker,
    threads,
    webhook_jobs,
)

from app.config import Settings
from app.connectors.base import Platform
from app.inbox.models import Direction, ThreadKind, TriageCategory
from app.kit.db import Database
from app.webhooks import service
from app.webhooks.models import WebhookEventStatus
from app.worker.models import JobStatus


async def deliver(client: httpx.AsyncClient, body: bytes) -> None:
    response = await post_signed(client, body)
    assert response.status_code == 200, response.text


class TestComments:
    async def test_comment_becomes_a_thread(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        channel = await make_channel(database, world, page)
        await deliver(client, envelope(comment(page, "Mein Vater hat Brustschmerzen, was tun?")))

        await run_worker(database, settings)

        [thread] = await threads(database)
        [message] = await messages(database)
        assert thread.channel_id == channel.id
        assert thread.clinic_id == world.clinic_a.id
        assert thread.kind is ThreadKind.comment
        assert thread.triage_category is TriageCategory.emergency
        assert message.text == "Mein Vater hat Brustschmerzen, was tun?"
        assert message.author_name == "Anna Beispiel"
        assert message.sent_at == datetime.fromtimestamp(1_764_000_000, UTC)
        [event] = await events(database)
        assert event.status is WebhookEventStatus.processed
        assert event.messages_created == 1
        assert (await webhook_jobs(database))[0].status is JobStatus.done

    async def test_reply_joins_the_thread_of_its_comment(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        top = comment(page, "Gibt es Parkplätze?", comment_id="555_1")
        reply = comment(page, "Ja, am Haupteingang.", comment_id="555_2", parent_id="555_1",
                        author=page, created=1_764_000_100)  # fmt: skip

        await deliver(client, envelope(top, reply))  # one batched delivery
        await run_worker(database, settings)

        [thread] = await threads(database)
        assert thread.message_count == 2
        directions = {m.platform_message_id: m.direction for m in await messages(database)}
        assert directions == {"555_1": Direction.inbound, "555_2": Direction.outbound}

    async def test_duplicate_delivery_stores_one_message(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        entry = comment(page, "Wo kann ich parken?", comment_id="555_1")
        await deliver(client, envelope(entry))
        await deliver(client, envelope(entry))
        # the same comment again inside another batch (another delivery, other ids too)
        await deliver(client, envelope(entry, comment(page, "Danke!", comment_id="555_9")))

        await run_worker(database, settings)

        assert len(await events(database)) == 2
        assert sorted(m.platform_message_id for m in await messages(database)) == ["555_1", "555_9"]

    async def test_edit_before_add_keeps_the_edited_text(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        add = comment(page, "Wo parken?", comment_id="555_1", time=1_764_000_000)
        edit = comment(page, "Wo kann ich parken?", comment_id="555_1", verb="edited",
                       time=1_764_000_060)  # fmt: skip

        await deliver(client, envelope(edit))
        await run_worker(database, settings)
        await deliver(client, envelope(add))
        await run_worker(database, settings)

        [message] = await messages(database)
        assert message.text == "Wo kann ich parken?"
        assert all(e.status is WebhookEventStatus.processed for e in await events(database))

    async def test_edit_after_add_updates_the_text(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        await deliver(client, envelope(comment(page, "Wo parken?", comment_id="555_1")))
        await deliver(client, envelope(comment(page, "Wo kann ich parken?", comment_id="555_1",
                                               verb="edited", time=1_764_000_060)))  # fmt: skip

        await run_worker(database, settings)

        [message] = await messages(database)
        assert message.text == "Wo kann ich parken?"

    async def test_older_comment_after_newer_keeps_the_newest_time(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        newer = comment(
            page, "Hallo?", comment_id="555_2", parent_id="555_1", created=1_764_000_500
        )
        older = comment(page, "Frage zu Besuchszeiten", comment_id="555_1", created=1_764_000_000)

        await deliver(client, envelope(newer))
        await run_worker(database, settings)
        await deliver(client, envelope(older))
        await run_worker(database, settings)

        [thread] = await threads(database)
        assert thread.message_count == 2
        assert thread.last_message_at == datetime.fromtimestamp(1_764_000_500, UTC)

    async def test_remove_hides_the_stored_comment(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        await deliver(client, envelope(comment(page, "Spam", comment_id="555_1")))
        await deliver(client, envelope(comment(page, "", comment_id="555_1", verb="remove",
                                               time=1_764_000_090)))  # fmt: skip

        await run_worker(database, settings)

        [message] = await messages(database)
        assert message.hidden


class TestOtherShapes:
    async def test_messenger_message_becomes_a_direct_message_thread(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        entry = {
            "id": page, "time": 1_764_000_000_000,
            "messaging": [{
                "sender": {"id": "psid-1"}, "recipient": {"id": page},
                "timestamp": 1_764_000_000_000,
                "message": {"mid": "m_1", "text": "Ich hätte gern einen Termin."},
            }, {"sender": {"id": "psid-1"}, "recipient": {"id": page},
                "timestamp": 1_764_000_000_500, "read": {"watermark": 1}}],
        }  # fmt: skip

        await deliver(client, envelope(entry))
        await run_worker(database, settings)

        [thread] = await threads(database)
        [message] = await messages(database)
        assert thread.kind is ThreadKind.direct_message
        assert thread.author_platform_id == "psid-1"
        assert message.sent_at == datetime.fromtimestamp(1_764_000_000, UTC)

    async def test_instagram_comment_goes_to_the_instagram_channel(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        ig = page_id()
        channel = await make_channel(database, world, ig, Platform.INSTAGRAM)
        await make_channel(database, world, ig)  # a Facebook channel with the same id: not it
        entry = {
            "id": ig, "time": 1_764_000_000,
            "changes": [{"field": "comments", "value": {
                "id": "17865", "text": "Tolles Team!", "from": {"id": "42", "username": "anna"},
                "media": {"id": "17900", "media_product_type": "FEED"},
            }}],
        }  # fmt: skip

        await deliver(client, envelope(entry, kind="instagram"))
        await run_worker(database, settings)

        [thread] = await threads(database)
        assert thread.channel_id == channel.id
        assert thread.author_handle == "anna"


class TestUnknownAndFailures:
    async def test_unknown_page_is_kept_as_ignored(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await deliver(client, envelope(comment(page, "Hallo")))

        await run_worker(database, settings)

        [event] = await events(database)
        assert event.status is WebhookEventStatus.ignored
        assert event.reason == f"Unbekanntes Konto: {page}"
        assert await messages(database) == []

    async def test_delivery_without_messages_is_ignored(
        self, client: httpx.AsyncClient, database: Database, settings: Settings
    ) -> None:
        entry = {
            "id": "1",
            "time": 1,
            "changes": [{"field": "feed", "value": {"item": "reaction"}}],
        }
        await deliver(client, envelope(entry))

        await run_worker(database, settings)

        [event] = await events(database)
        assert event.status is WebhookEventStatus.ignored

    async def test_failure_is_retried_and_the_raw_row_stays(
        self,
        client: httpx.AsyncClient,
        database: Database,
        settings: Settings,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        await deliver(client, envelope(comment(page, "Hallo")))
        real = service.ingest

        async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise ConnectionError("database gone")

        monkeypatch.setattr(service, "ingest", broken)
        await run_worker(database, settings)

        [job] = await webhook_jobs(database)
        [event] = await events(database)
        assert job.status is JobStatus.queued
        assert job.attempts == 1
        assert "ConnectionError" in (job.last_error or "")
        assert event.status is WebhookEventStatus.received
        assert await messages(database) == []

        monkeypatch.setattr(service, "ingest", real)
        async with database.session_scope() as session:
            job = await session.get(type(job), job.id)
            assert job is not None
            job.run_at = datetime.now(UTC)
        await run_worker(database, settings)

        assert len(await messages(database)) == 1
        assert (await events(database))[0].status is WebhookEventStatus.processed


class TestRemoveFirst:
    async def test_remove_before_add_stays_hidden(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        page = page_id()
        await make_channel(database, world, page)
        await deliver(client, envelope(comment(page, "", comment_id="555_1", verb="remove",
                                               time=1_764_000_090)))  # fmt: skip
        await run_worker(database, settings)
        await deliver(client, envelope(comment(page, "Spam", comment_id="555_1")))
        await run_worker(database, settings)

        [message] = await messages(database)
        assert message.hidden
        assert message.text == ""  # the removed wording never arrives
