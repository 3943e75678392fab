"""Ingestion: one inbound (or platform-side outbound) message into its thread, exactly once.

``ingest`` is what webhooks and polling will call from the worker. It is idempotent on
(channel, platform message id): the thread row is created with ``INSERT … ON CONFLICT DO
NOTHING`` and then locked, so concurrent deliveries of the same thread serialise; the message is
stored only if it is not there yet. Events may arrive out of order: ``last_message_at`` only
moves forward, and the thread's sentiment follows the newest inbound message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.channels.models import Channel
from app.compliance.engine import check_text
from app.inbox.models import (
    Direction,
    InboxMessage,
    InboxThread,
    Priority,
    SlaPolicy,
    ThreadKind,
    ThreadStatus,
    TriageCategory,
)
from app.inbox.sla import Policy, due_at
from app.inbox.triage import more_severe, priority_for, triage
from app.kit.errors import NotFound
from app.kit.sql import for_update, insert_or_ignore
from app.kit.time import utc_now
from app.publishing.models import Publication
from app.tenancy.models import Clinic, Organization

SENSITIVE_RULES = frozenset({"pii.name", "pii.ward_room", "pii.case_number"})
"""Besides every ``phi.*`` rule: findings that tie a stay or a patient to a person."""


@dataclass(frozen=True)
class InboundEvent:
    """A message as a platform reports it (normalised by the webhook or polling code)."""

    channel_id: uuid.UUID
    kind: ThreadKind
    platform_thread_id: str
    platform_message_id: str
    author_platform_id: str
    text: str
    sent_at: datetime
    author_handle: str | None = None
    author_name: str | None = None
    platform_object_id: str | None = None
    """The platform id of the post a comment belongs to, if any."""
    direction: Direction = Direction.inbound


@dataclass(frozen=True)
class IngestResult:
    thread: InboxThread
    message: InboxMessage
    created: bool


def sensitive_rules(text: str) -> list[str]:
    """Compliance rule ids showing health data about a person in ``text`` (sorted)."""
    return sorted(
        {
            f.rule
            for f in check_text(text)
            if f.severity == "block" and (f.rule.startswith("phi.") or f.rule in SENSITIVE_RULES)
        }
    )


def urgency_key(thread: InboxThread) -> str:
    """Emergency first, then priority, then the earliest due time (none: last)."""
    emergency = 0 if thread.triage_category is TriageCategory.emergency else 1
    due = thread.first_response_due_at
    when = due.strftime("%Y-%m-%dT%H:%M:%S") if due and thread.first_responded_at is None else "9"
    return f"{emergency}{thread.priority.rank}{when}"


async def policy_for(session: AsyncSession, thread: InboxThread) -> Policy:
    if thread.clinic_id is None:
        org = await session.get(Organization, thread.organization_id)
        return Policy.of(None, org.timezone if org else "Europe/Berlin")
    clinic = await session.get(Clinic, thread.clinic_id)
    row = (
        await session.execute(select(SlaPolicy).where(col(SlaPolicy.clinic_id) == thread.clinic_id))
    ).scalar_one_or_none()
    return Policy.of(row, clinic.timezone if clinic else "Europe/Berlin")


async def _message(session: AsyncSession, event: InboundEvent) -> InboxMessage | None:
    message: InboxMessage | None = (
        await session.execute(
            select(InboxMessage).where(
                col(InboxMessage.channel_id) == event.channel_id,
                col(InboxMessage.platform_message_id) == event.platform_message_id,
            )
        )
    ).scalar_one_or_none()
    return message


async def ingest(session: AsyncSession, event: InboundEvent) -> IngestResult:
    """Store the message once, create or update its thread, triage it and set the due time.

    Never commits; a duplicate returns the stored message with ``created=False``."""
    if event.sent_at.tzinfo is None:
        raise ValueError("sent_at must be timezone-aware")
    existing = await _message(session, event)
    if existing is not None:
        thread = await session.get(InboxThread, existing.thread_id)
        assert thread is not None
        return IngestResult(thread, existing, created=False)
    channel = await session.get(Channel, event.channel_id)
    if channel is None:
        raise NotFound("Unbekannter Kanal.")
    publication = None
    if event.platform_object_id:
        publication = (
            await session.execute(
                select(Publication).where(
                    col(Publication.channel_id) == channel.id,
                    col(Publication.platform_post_id) == event.platform_object_id,
                )
            )
        ).scalar_one_or_none()
    now = utc_now()
    await insert_or_ignore(
        session,
        InboxThread,
        ["channel_id", "platform_thread_id"],
        {
            "id": uuid.uuid4(), "created_at": now, "updated_at": now,
            "organization_id": channel.organization_id, "clinic_id": channel.clinic_id,
            "channel_id": channel.id, "kind": event.kind,
            "platform_thread_id": event.platform_thread_id,
            "publication_id": publication.id if publication else None,
            "post_id": publication.post_id if publication else None,
            "author_platform_id": event.author_platform_id,
            "author_handle": event.author_handle, "author_name": event.author_name,
            "status": ThreadStatus.open, "priority": Priority.normal,
            "triage_category": TriageCategory.other, "triage_reasons": [],
            "sentiment": "neutral", "sensitive": False, "sensitive_rules": [],
            "last_message_at": event.sent_at, "message_count": 0, "urgency_key": "",
        },
    )  # fmt: skip
    thread = (
        await session.execute(
            for_update(
                session,
                select(InboxThread)
                .where(
                    col(InboxThread.channel_id) == channel.id,
                    col(InboxThread.platform_thread_id) == event.platform_thread_id,
                )
                .execution_options(populate_existing=True),
            )
        )
    ).scalar_one()
    existing = await _message(session, event)  # another delivery won while we waited
    if existing is not None:
        return IngestResult(thread, existing, created=False)
    await insert_or_ignore(
        session,
        InboxMessage,
        ["channel_id", "platform_message_id"],
        {
            "id": uuid.uuid4(), "created_at": now, "updated_at": now, "thread_id": thread.id,
            "channel_id": channel.id, "direction": event.direction,
            "platform_message_id": event.platform_message_id,
            "author_platform_id": event.author_platform_id, "author_handle": event.author_handle,
            "author_name": event.author_name, "text": event.text, "sent_at": event.sent_at,
            "hidden": False,
        },
    )  # fmt: skip
    message = await _message(session, event)
    assert message is not None
    await _update_thread(session, thread, event)
    return IngestResult(thread, message, created=True)


async def _update_thread(session: AsyncSession, thread: InboxThread, event: InboundEvent) -> None:
    newest = thread.message_count == 0 or event.sent_at >= thread.last_message_at
    thread.message_count += 1
    thread.last_message_at = max(thread.last_message_at, event.sent_at)
    if event.direction is Direction.outbound:
        if thread.first_responded_at is None or event.sent_at < thread.first_responded_at:
            thread.first_responded_at = event.sent_at
    else:
        result = triage(event.text)
        rules = sensitive_rules(event.text)
        thread.triage_category = more_severe(thread.triage_category, result.category)
        thread.triage_reasons = sorted({*thread.triage_reasons, *result.reasons})
        if newest:
            thread.sentiment = result.sentiment
        if rules:
            thread.sensitive = True
            thread.sensitive_rules = sorted({*thread.sensitive_rules, *rules})
        priority = priority_for(result.category, result.sentiment, sensitive=bool(rules))
        if thread.triage_category is TriageCategory.emergency:
            priority = Priority.urgent
        if priority.rank < thread.priority.rank or thread.message_count == 1:
            thread.priority = priority
        if thread.first_responded_at is None:
            due = due_at(await policy_for(session, thread), thread.priority, event.sent_at)
            current = thread.first_response_due_at
            thread.first_response_due_at = due if current is None else min(current, due)
        if newest and thread.status is ThreadStatus.resolved:
            thread.status = ThreadStatus.open  # a new question reopens a resolved thread
    thread.urgency_key = urgency_key(thread)
    session.add(thread)
    await session.flush()
