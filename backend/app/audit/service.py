"""Write and read the append-only, hash-chained audit log (SEC-24/25).

Writers never wait for the chain (ADR 0004): ``record`` inserts the event and links it into
the chain at once when the chain lock is free (``pg_try_advisory_xact_lock``); otherwise the
row stays *pending* (``seq``/``prev_hash``/``hash`` NULL) and the sequencer (``sequence``, a
worker poller, also run before ``verify`` and the CSV export) links pending rows in order
shortly after. The database allows exactly one change to a row: filling in its link fields
once, with every other column unchanged."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.models import AuditEvent
from app.auth.permissions import Permission
from app.kit.pagination import CursorParams, paginate
from app.kit.time import utc_now
from app.users.models import User

if TYPE_CHECKING:
    from app.auth.subject import AuthSubject

GENESIS = "0" * 64
_CHAIN_LOCK_ID = 7_364_221  # advisory lock key: who holds it may link events into the chain
_CHAIN_STATE = "audit_chain"  # session.info key: the chain head this transaction linked last
SEQUENCE_BATCH = 2000


def _canonical(event: AuditEvent) -> str:
    return json.dumps(
        {
            "seq": event.seq,
            "occurred_at": event.occurred_at.isoformat(),
            "organization_id": str(event.organization_id) if event.organization_id else None,
            "clinic_id": str(event.clinic_id) if event.clinic_id else None,
            "actor_id": str(event.actor_id) if event.actor_id else None,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "ip": event.ip,
            "details": event.details,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


@dataclass
class AuditFilters:
    action: str | None = None
    actor_id: uuid.UUID | None = None
    target_type: str | None = None
    target_id: str | None = None
    clinic_id: uuid.UUID | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: uuid.UUID | None


class AuditService:
    async def record(
        self,
        session: AsyncSession,
        action: str,
        *,
        subject: AuthSubject | None = None,
        actor_id: uuid.UUID | None = None,
        organization_id: uuid.UUID | None = None,
        clinic_id: uuid.UUID | None = None,
        target_type: str | None = None,
        target_id: uuid.UUID | str | None = None,
        ip: str | None = None,
        details: dict[str, Any] | None = None,
        flush: bool = True,
    ) -> AuditEvent:
        """Append one event in the caller's transaction; it commits or rolls back with it.

        The event is linked into the hash chain right away when this transaction can take the
        chain lock without waiting (always on SQLite, which serialises writers); otherwise it is
        left pending for the sequencer. ``flush=False`` lets a caller adding many events flush
        once."""
        event = AuditEvent(
            occurred_at=utc_now(),
            organization_id=organization_id or (subject.organization_id if subject else None),
            clinic_id=clinic_id,
            actor_id=actor_id or (subject.user.id if subject else None),
            action=action,
            target_type=target_type,
            target_id=str(target_id) if target_id is not None else None,
            ip=ip,
            details=details or {},
        )
        head = await self._chain_head(session, wait=False)
        if head is not None:
            self._link(session, event, head)
        session.add(event)
        if flush:
            await session.flush()
        return event

    async def _chain_head(self, session: AsyncSession, *, wait: bool) -> tuple[int, str] | None:
        """The last linked (seq, hash) if this transaction holds the chain lock (taking it now,
        without waiting unless ``wait``); None when another transaction holds it."""
        transaction = session.sync_session.get_transaction()
        cached = session.info.get(_CHAIN_STATE)
        if cached is not None and cached[0] is transaction and (cached[1] is not None or not wait):
            return cached[1]  # type: ignore[no-any-return]
        if session.get_bind().dialect.name == "postgresql":
            sql = (
                "SELECT pg_advisory_xact_lock(:k)"
                if wait
                else "SELECT pg_try_advisory_xact_lock(:k)"
            )
            got = (await session.execute(text(sql), {"k": _CHAIN_LOCK_ID})).scalar()
            if not wait and not got:
                session.info[_CHAIN_STATE] = (transaction, None)
                return None
        last = (
            await session.execute(
                select(col(AuditEvent.seq), col(AuditEvent.hash))
                .where(col(AuditEvent.seq).is_not(None))
                .order_by(col(AuditEvent.seq).desc())
                .limit(1)
            )
        ).first()
        head = (int(last.seq), str(last.hash)) if last else (0, GENESIS)
        session.info[_CHAIN_STATE] = (transaction, head)
        return head

    def _link(self, session: AsyncSession, event: AuditEvent, head: tuple[int, str]) -> None:
        event.seq = head[0] + 1
        event.prev_hash = head[1]
        event.hash = chain_hash(event.prev_hash, event)
        session.info[_CHAIN_STATE] = (
            session.sync_session.get_transaction(),
            (event.seq, event.hash),
        )

    async def sequence(self, session: AsyncSession, *, wait: bool = False) -> int:
        """Link pending events into the chain, oldest first; returns how many were linked.

        Takes the chain lock (waiting only when ``wait``): at most one linker at a time, and
        no event is ever linked twice or skipped."""
        pending = select(AuditEvent).where(col(AuditEvent.seq).is_(None))
        if not wait and (await session.execute(pending.limit(1))).first() is None:
            return 0
        head = await self._chain_head(session, wait=wait)
        if head is None:
            return 0
        linked = 0
        while True:
            rows = list(
                (
                    await session.execute(
                        pending.order_by(col(AuditEvent.occurred_at), col(AuditEvent.id)).limit(
                            SEQUENCE_BATCH
                        )
                    )
                ).scalars()
            )
            if not rows:
                return linked
            for event in rows:
                self._link(session, event, head)
                head = (event.seq, event.hash)  # type: ignore[assignment]
                session.add(event)
            await session.flush()
            linked += len(rows)

    async def pending_count(self, session: AsyncSession) -> int:
        return int(
            (
                await session.execute(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(col(AuditEvent.seq).is_(None))
                )
            ).scalar_one()
        )

    def readable_statement(self, subject: AuthSubject) -> Select[Any]:
        """Org-wide audit readers see the organization's events (and the installation's
        unattributed ones, e.g. failed logins for unknown e-mails); clinic-scoped readers
        see only events of their clinics."""
        statement = select(AuditEvent)
        if subject.has_org(Permission.audit_read):
            return statement.where(
                or_(
                    col(AuditEvent.organization_id) == subject.organization_id,
                    col(AuditEvent.organization_id).is_(None),
                )
            )
        clinic_ids = subject.clinic_ids(Permission.audit_read)
        return statement.where(
            col(AuditEvent.organization_id) == subject.organization_id,
            col(AuditEvent.clinic_id).in_(clinic_ids),
        )

    def _filtered(self, subject: AuthSubject, filters: AuditFilters) -> Select[Any]:
        statement = self.readable_statement(subject)
        conditions: list[tuple[Any, object]] = [
            (AuditEvent.action, filters.action),
            (AuditEvent.actor_id, filters.actor_id),
            (AuditEvent.target_type, filters.target_type),
            (AuditEvent.target_id, filters.target_id),
            (AuditEvent.clinic_id, filters.clinic_id),
        ]
        for column, value in conditions:
            if value is not None:
                statement = statement.where(col(column) == value)
        if filters.occurred_from:
            statement = statement.where(col(AuditEvent.occurred_at) >= filters.occurred_from)
        if filters.occurred_to:
            statement = statement.where(col(AuditEvent.occurred_at) < filters.occurred_to)
        return statement

    async def list(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        filters: AuditFilters,
        params: CursorParams,
    ) -> tuple[Sequence[AuditEvent], dict[uuid.UUID, str], str | None]:
        rows, next_cursor = await paginate(
            session,
            self._filtered(subject, filters),
            params,
            sort=col(AuditEvent.occurred_at),
            id_column=col(AuditEvent.id),
            descending=True,
        )
        return rows, await self._actor_names(session, subject, rows), next_cursor

    async def _actor_names(
        self, session: AsyncSession, subject: AuthSubject, rows: Sequence[AuditEvent]
    ) -> dict[uuid.UUID, str]:
        ids = {r.actor_id for r in rows if r.actor_id}
        if not ids:
            return {}
        result = await session.execute(
            select(col(User.id), col(User.full_name)).where(
                col(User.id).in_(ids),
                col(User.organization_id) == subject.organization_id,
            )
        )
        return {row.id: row.full_name for row in result}

    async def export_csv(
        self, session: AsyncSession, subject: AuthSubject, filters: AuditFilters
    ) -> AsyncIterator[str]:
        """Stream every matching event, newest first, as CSV rows."""
        statement = self._filtered(subject, filters).order_by(
            col(AuditEvent.occurred_at).desc(),
            col(AuditEvent.id).desc(),
        )
        columns = [
            "occurred_at", "action", "actor_id", "actor_name", "target_type", "target_id",
            "clinic_id", "ip", "details", "hash",
        ]  # fmt: skip
        await self.sequence(session, wait=True)  # every exported row carries its hash
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        yield buffer.getvalue()
        result = await session.stream_scalars(statement.execution_options(yield_per=500))
        async for batch in result.partitions(500):
            names = await self._actor_names(session, subject, batch)
            buffer.seek(0)
            buffer.truncate()
            for e in batch:
                writer.writerow(
                    [
                        e.occurred_at.isoformat(),
                        e.action,
                        e.actor_id or "",
                        names.get(e.actor_id, "") if e.actor_id else "",
                        e.target_type or "",
                        e.target_id or "",
                        e.clinic_id or "",
                        e.ip or "",
                        json.dumps(e.details, sort_keys=True),
                        e.hash or "",
                    ]
                )
            yield buffer.getvalue()

    async def verify(self, session: AsyncSession) -> VerifyResult:
        """Link what is pending, then walk the whole chain; report the first event whose hash,
        link or position does not match (a removed or re-ordered row breaks the sequence)."""
        await self.sequence(session, wait=True)
        prev = GENESIS
        checked = 0
        result = await session.stream_scalars(
            select(AuditEvent)
            .where(col(AuditEvent.seq).is_not(None))
            .order_by(col(AuditEvent.seq))
            .execution_options(yield_per=1000)
        )
        async for event in result:
            checked += 1
            if (
                event.seq != checked
                or event.prev_hash != prev
                or chain_hash(prev, event) != event.hash
            ):
                return VerifyResult(False, checked, event.id)
            prev = event.hash or ""
        return VerifyResult(True, checked, None)


audit_service = AuditService()
