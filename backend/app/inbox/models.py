"""The inbox (design.md "Inbox thread / message"): threads of comments, direct messages and
mentions, their messages (deduplicated on the platform's ids), internal notes and tags, saved
replies, and the per-clinic SLA policy that sets each thread's first-response due time."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field

from app.kit.models import JSONType, RecordModel, enum_column, utc_column


class ThreadKind(StrEnum):
    comment = "comment"
    direct_message = "direct_message"
    mention = "mention"


class ThreadStatus(StrEnum):
    open = "open"
    pending = "pending"
    resolved = "resolved"
    spam = "spam"


class Priority(StrEnum):
    """``urgent`` is reserved for emergencies; the rank orders the list (lower first)."""

    urgent = "urgent"
    high = "high"
    normal = "normal"
    low = "low"

    @property
    def rank(self) -> int:
        return list(Priority).index(self)


class TriageCategory(StrEnum):
    emergency = "emergency"
    abuse = "abuse"
    complaint = "complaint"
    medical_question = "medical_question"
    appointment_request = "appointment_request"
    job_inquiry = "job_inquiry"
    praise = "praise"
    other = "other"


class Sentiment(StrEnum):
    negative = "negative"
    neutral = "neutral"
    positive = "positive"


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class DeliveryState(StrEnum):
    """Outbound messages only: queued for the worker, being sent, on the platform, failed."""

    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class InboxThread(RecordModel, table=True):
    """A comment thread under a publication, a direct-message conversation, or a mention.

    ``clinic_id`` is the channel's clinic (null for an organization-wide channel: only
    organization-level inbox readers see those). ``urgency_key`` is the list order in one
    sortable string — emergency first, then priority, then due time — kept by the service."""

    __tablename__ = "inbox_threads"
    __table_args__ = (
        UniqueConstraint("channel_id", "platform_thread_id"),
        Index("ix_inbox_threads_list", "organization_id", "clinic_id", "status", "urgency_key"),
        Index("ix_inbox_threads_author", "organization_id", "author_platform_id"),
    )

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID | None = Field(default=None, foreign_key="clinics.id", index=True)
    channel_id: uuid.UUID = Field(foreign_key="channels.id", index=True)
    kind: ThreadKind = enum_column(ThreadKind)
    platform_thread_id: str = Field(max_length=300)
    publication_id: uuid.UUID | None = Field(default=None, foreign_key="publications.id")
    post_id: uuid.UUID | None = Field(default=None, foreign_key="posts.id", index=True)
    author_platform_id: str = Field(max_length=300)
    author_handle: str | None = Field(default=None, max_length=300)
    author_name: str | None = Field(default=None, max_length=300)
    status: ThreadStatus = enum_column(ThreadStatus, default=ThreadStatus.open)
    assignee_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", index=True)
    priority: Priority = enum_column(Priority, default=Priority.normal)
    triage_category: TriageCategory = enum_column(TriageCategory, default=TriageCategory.other)
    triage_reasons: list[str] = Field(default_factory=list, sa_type=JSONType)
    """Why: the lexicon entries that matched (``"emergency: brustschmerzen"``)."""
    sentiment: Sentiment = enum_column(Sentiment, default=Sentiment.neutral)
    sensitive: bool = False
    sensitive_rules: list[str] = Field(default_factory=list, sa_type=JSONType)
    """The compliance rule ids that made the thread sensitive (``phi.diagnosis``)."""
    escalated_role: str | None = Field(default=None, max_length=32)
    escalated_at: datetime | None = utc_column(default=None)
    first_response_due_at: datetime | None = utc_column(default=None)
    first_responded_at: datetime | None = utc_column(default=None)
    last_message_at: datetime = utc_column()
    message_count: int = 0
    urgency_key: str = Field(default="", max_length=64)


class InboxMessage(RecordModel, table=True):
    """One message of a thread, stored once per (channel, platform message id)."""

    __tablename__ = "inbox_messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "platform_message_id"),
        Index("ix_inbox_messages_thread", "thread_id", "sent_at"),
    )

    thread_id: uuid.UUID = Field(foreign_key="inbox_threads.id")
    channel_id: uuid.UUID = Field(foreign_key="channels.id")
    direction: Direction = enum_column(Direction)
    platform_message_id: str | None = Field(default=None, max_length=300)
    """Null for an outbound reply not yet on the platform."""
    author_platform_id: str | None = Field(default=None, max_length=300)
    author_handle: str | None = Field(default=None, max_length=300)
    author_name: str | None = Field(default=None, max_length=300)
    author_user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    text: str = Field(sa_type=Text)
    sent_at: datetime = utc_column()
    """When the message was created on the platform."""
    hidden: bool = False
    delivery_state: DeliveryState | None = enum_column(DeliveryState, default=None, nullable=True)


class InboxThreadTag(RecordModel, table=True):
    __tablename__ = "inbox_thread_tags"
    __table_args__ = (
        UniqueConstraint("thread_id", "tag"),
        Index("ix_inbox_thread_tags_tag", "tag"),
    )

    thread_id: uuid.UUID = Field(foreign_key="inbox_threads.id")
    tag: str = Field(max_length=50)


class InboxNote(RecordModel, table=True):
    """An internal note on a thread: never sent to the platform."""

    __tablename__ = "inbox_notes"

    thread_id: uuid.UUID = Field(foreign_key="inbox_threads.id", index=True)
    author_id: uuid.UUID = Field(foreign_key="users.id")
    text: str = Field(sa_type=Text)


class SavedReply(RecordModel, table=True):
    """An approved answer template, for the organization (``clinic_id`` null) or one clinic,
    with variables such as ``{vorname}`` filled in when it is used."""

    __tablename__ = "saved_replies"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID | None = Field(default=None, foreign_key="clinics.id", index=True)
    title: str = Field(max_length=200)
    language: str = Field(max_length=8)
    category: TriageCategory | None = enum_column(TriageCategory, default=None, nullable=True)
    text: str = Field(sa_type=Text)
    usage_count: int = 0
    created_by_id: uuid.UUID = Field(foreign_key="users.id")


class SlaPolicy(RecordModel, table=True):
    """First-response targets of a clinic, in minutes per priority, separately for office hours
    and on-call hours; office hours are ``{"0": ["08:00", "17:00"], …}`` (0 = Monday) in the
    clinic's time zone. A clinic without a row uses ``app.inbox.sla.DEFAULT_POLICY``."""

    __tablename__ = "inbox_sla_policies"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID = Field(foreign_key="clinics.id", unique=True)
    office_targets: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    on_call_targets: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    office_hours: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
