"""Audit events that could not be linked at once (the chain lock was busy) are linked by the
sequencer in order; linking is the only change the database allows, once (ADR 0004)."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.audit.models import AuditEvent
from app.audit.service import GENESIS, audit_service
from app.audit.tasks import sequence_audit_chain
from app.config import Settings
from app.kit.db import Database
from app.kit.time import utc_now
from app.worker.runner import PollContext


async def events(database: Database) -> list[AuditEvent]:
    async with database.session_scope() as session:
        rows = await session.execute(select(AuditEvent).order_by(AuditEvent.occurred_at))
        return list(rows.scalars())


async def add_pending(database: Database, action: str) -> None:
    async with database.session_scope() as session:
        session.add(AuditEvent(occurred_at=utc_now(), action=action, details={"n": 1}))


class TestSequencer:
    async def test_pending_events_are_linked_in_order_and_verify(
        self, database: Database, settings: Settings
    ) -> None:
        async with database.session_scope() as session:
            await audit_service.record(session, "test.first")
        for action in ("test.second", "test.third"):
            await add_pending(database, action)
        assert [e.seq for e in await events(database)] == [1, None, None]

        await sequence_audit_chain(PollContext(database, settings, "w"))

        linked = await events(database)
        assert [(e.action, e.seq) for e in linked] == [
            ("test.first", 1), ("test.second", 2), ("test.third", 3),
        ]  # fmt: skip
        assert linked[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(linked))
        async with database.session_scope() as session:
            result = await audit_service.verify(session)
        assert (result.ok, result.checked) == (True, 3)

    async def test_only_linking_a_pending_event_is_allowed(self, database: Database) -> None:
        await add_pending(database, "test.pending")
        for statement in (
            "UPDATE audit_events SET action = 'x'",
            "UPDATE audit_events SET seq = 1, prev_hash = 'a', hash = 'b', ip = '1.2.3.4'",
        ):
            with pytest.raises((DBAPIError, IntegrityError)):
                async with database.session_scope() as session:
                    await session.execute(text(statement))
        async with database.session_scope() as session:
            assert await audit_service.sequence(session) == 1
        with pytest.raises((DBAPIError, IntegrityError)):
            async with database.session_scope() as session:
                await session.execute(text("UPDATE audit_events SET hash = 'c'"))

    async def test_a_busy_chain_does_not_make_writers_wait(self, database: Database) -> None:
        if database.is_sqlite:
            pytest.skip("SQLite serialises writers; every event is linked at once")
        async with database.session_scope() as holder:
            await audit_service.record(holder, "test.holder")  # holds the chain lock
            async with database.session_scope() as writer:
                event = await asyncio.wait_for(audit_service.record(writer, "test.writer"), 5)
                assert event.seq is None  # pending, not waiting
        async with database.session_scope() as session:
            assert await audit_service.sequence(session) == 1
            result = await audit_service.verify(session)
        assert (result.ok, result.checked) == (True, 2)
