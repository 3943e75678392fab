from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.kit.models import RecordModel, enum_column, utc_column
from app.kit.time import utc_now


class PublicationStatus(StrEnum):
    """One post on one channel. `publishing` is leased to a worker; `unconfirmed` means a publish
    call may have reached the platform and reconciliation could not tell — a person must check;
    `missed` could not go out within the window after its time and is not published late;
    `deleting` is a live post whose takedown (consent ended) is under way, `deleted` is gone."""

    pending = "pending"
    publishing = "publishing"
    published = "published"
    failed = "failed"
    unconfirmed = "unconfirmed"
    missed = "missed"
    paused = "paused"
    deleting = "deleting"
    deleted = "deleted"


class Publication(RecordModel, table=True):
    """Exactly one platform post per (post, channel), whatever crashes or retries happen."""

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("post_id", "channel_id"),
        Index("ix_publications_due", "status", "next_attempt_at"),
    )

    post_id: uuid.UUID = Field(foreign_key="posts.id", index=True)
    channel_id: uuid.UUID = Field(foreign_key="channels.id", index=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID = Field(foreign_key="clinics.id", index=True)
    status: PublicationStatus = enum_column(PublicationStatus, default=PublicationStatus.pending)
    due_at: datetime = utc_column()
    next_attempt_at: datetime = utc_column()
    attempts: int = 0
    attempt_started_at: datetime | None = utc_column(default=None)
    lease_until: datetime | None = utc_column(default=None)
    locked_by: str | None = Field(default=None, max_length=100)
    content_hash: str = Field(default="", max_length=64)
    last_error: str | None = Field(default=None, max_length=2000)
    error_code: str | None = Field(default=None, max_length=64)
    platform_post_id: str | None = Field(default=None, max_length=300)
    platform_url: str | None = Field(default=None, max_length=2000)
    published_at: datetime | None = utc_column(default=None)
    crisis_release_id: uuid.UUID | None = Field(default=None, foreign_key="crisis_modes.id")
    """Set only when a comms lead publishes a holding statement during this crisis: the one
    exception to its pause (``app.crisis.scope.CrisisCheck``)."""


class PublishingThrottle(SQLModel, table=True):
    """Shared by every worker: how much of a platform budget a scope has used, and until when
    nobody starts a call in it. ``scope`` is ``"<platform>:app"`` or ``"<platform>:<account>"``
    (Meta usage headers, platforms.md §1.2). The row is also the lock the publisher takes while
    it counts calls in flight for a concurrency cap, so two workers never both take the last
    slot."""

    __tablename__ = "publishing_throttles"

    scope: str = Field(primary_key=True, max_length=200)
    usage_percent: float = 0.0
    blocked_until: datetime | None = utc_column(default=None)
    updated_at: datetime = utc_column(default_factory=utc_now)
