"""Ingestion: each platform message stored once, threads kept right under out-of-order and
duplicate deliveries, triage and the sensitive flag on arrival."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fixtures.helpers import count
from fixtures.world import World
from inbox.support import deliver, event, make_channels, thread_of

from app.inbox.models import InboxMessage, InboxThread, Priority, ThreadStatus, TriageCategory
from app.kit.db import Database
from app.kit.time import utc_now


class TestIdempotency:
    async def test_same_event_twice_stores_one_message(
        self, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        inbound = event(channels.a, "Wo kann ich parken?")

        first = await deliver(database, inbound)
        second = await deliver(database, inbound)

        assert first.created
        assert not second.created
        assert second.message.id == first.message.id
        assert await count(database, InboxMessage) == 1
        assert (await thread_of(database, first.thread.id)).message_count == 1

    async def test_concurrent_duplicates_store_one_message(
        self, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        inbound = event(channels.a, "Wo kann ich parken?")

        results = await asyncio.gather(*(deliver(database, inbound) for _ in range(4)))

        assert sum(r.created for r in results) == 1
        assert await count(database, InboxMessage) == 1
        assert await count(database, InboxThread) == 1

    async def test_same_platform_id_on_other_channel_is_another_message(
        self, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        await deliver(database, event(channels.a, "Hallo", platform_message_id="m-1"))
        await deliver(database, event(channels.b, "Hallo", platform_message_id="m-1"))

        assert await count(database, InboxMessage) == 2

    async def test_messages_of_one_thread_share_it(self, database: Database, world: World) -> None:
        channels = await make_channels(database, world)
        first = await deliver(database, event(channels.a, "Frage", platform_thread_id="t-1"))
        second = await deliver(database, event(channels.a, "Noch da?", platform_thread_id="t-1"))

        assert second.thread.id == first.thread.id
        assert (await thread_of(database, first.thread.id)).message_count == 2


class TestOutOfOrder:
    async def test_older_message_arriving_later_keeps_last_message_at(
        self, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        now = utc_now()
        newer = event(channels.a, "Danke, super Team!", platform_thread_id="t-1", sent_at=now)
        older = event(
            channels.a, "Das war unfreundlich.", platform_thread_id="t-1",
            sent_at=now - timedelta(hours=2),
        )  # fmt: skip

        result = await deliver(database, newer)
        await deliver(database, older)

        thread = await thread_of(database, result.thread.id)
        assert thread.last_message_at == now
        assert thread.message_count == 2
        assert thread.sentiment == "positive"  # the newest message's, not the late one's

    async def test_new_message_reopens_a_resolved_thread(
        self, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        result = await deliver(database, event(channels.a, "Frage", platform_thread_id="t-1"))
        async with database.session_scope() as session:
            thread = await session.get(InboxThread, result.thread.id)
            assert thread is not None
            thread.status = ThreadStatus.resolved
        await deliver(
            database,
            event(channels.a, "Noch eine Frage", platform_thread_id="t-1", sent_at=utc_now()),
        )

        assert (await thread_of(database, result.thread.id)).status is ThreadStatus.open


class TestTriageOnArrival:
    async def test_emergency_goes_to_the_top(self, database: Database, world: World) -> None:
        channels = await make_channels(database, world)
        result = await deliver(
            database, event(channels.a, "mein Vater hat Brustschmerzen, was soll ich tun?")
        )

        thread = await thread_of(database, result.thread.id)
        assert thread.triage_category is TriageCategory.emergency
        assert thread.priority is Priority.urgent
        assert "emergency: brustschmerz*" in thread.triage_reasons
        assert thread.urgency_key.startswith("00")

    async def test_a_later_emergency_raises_the_thread(
        self, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        first = await deliver(
            database, event(channels.a, "Danke für alles!", platform_thread_id="t-1")
        )
        before = await thread_of(database, first.thread.id)
        await deliver(
            database,
            event(
                channels.a,
                "Jetzt kann er nicht atmen!",
                platform_thread_id="t-1",
                sent_at=utc_now(),
            ),
        )

        after = await thread_of(database, first.thread.id)
        assert before.priority is Priority.low
        assert after.triage_category is TriageCategory.emergency
        assert after.priority is Priority.urgent
        assert after.first_response_due_at is not None
        assert before.first_response_due_at is not None
        assert after.first_response_due_at < before.first_response_due_at

    async def test_diagnosis_revealing_comment_is_sensitive(
        self, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        result = await deliver(
            database,
            event(channels.a, "Meine Mutter hat Brustkrebs und liegt bei Ihnen auf Station 4."),
        )

        thread = await thread_of(database, result.thread.id)
        assert thread.sensitive
        assert "phi.diagnosis" in thread.sensitive_rules
        assert thread.priority is Priority.high

    async def test_ordinary_question_is_not_sensitive(
        self, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        result = await deliver(database, event(channels.a, "Wann ist die Cafeteria geöffnet?"))

        thread = await thread_of(database, result.thread.id)
        assert not thread.sensitive
        assert thread.triage_category is TriageCategory.other
        assert thread.priority is Priority.normal

    async def test_outbound_from_the_platform_counts_as_first_response(
        self, database: Database, world: World
    ) -> None:
        from app.inbox.models import Direction

        channels = await make_channels(database, world)
        result = await deliver(database, event(channels.a, "Frage?", platform_thread_id="t-1"))
        answered = utc_now()
        await deliver(
            database,
            event(
                channels.a, "Antwort", platform_thread_id="t-1", direction=Direction.outbound,
                sent_at=answered,
            ),
        )  # fmt: skip

        thread = await thread_of(database, result.thread.id)
        assert thread.first_responded_at == answered
        assert thread.urgency_key.endswith("9")
