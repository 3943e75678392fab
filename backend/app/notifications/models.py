from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field

from app.kit.models import RecordModel, enum_column, utc_column


class NotificationKind(StrEnum):
    channel_needs_reconnect = "channel_needs_reconnect"
    publication_failed = "publication_failed"
    publication_missed = "publication_missed"
    publication_unconfirmed = "publication_unconfirmed"
    review_requested = "review_requested"
    review_decided = "review_decided"
    consent_takedown_started = "consent_takedown_started"
    consent_takedown_finished = "consent_takedown_finished"
    consent_takedown_failed = "consent_takedown_failed"
    consent_expiring = "consent_expiring"
    inbox_escalated = "inbox_escalated"


class Notification(RecordModel, table=True):
    """An in-app message to one user: German title and text (ids and names, never patient
    content), a link into the app, read once the user marked it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_inbox", "user_id", "read_at", "created_at"),)

    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID | None = Field(default=None, foreign_key="clinics.id", index=True)
    kind: NotificationKind = enum_column(NotificationKind)
    title_de: str = Field(max_length=200)
    body_de: str = Field(max_length=1000)
    link: str = Field(max_length=300)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: uuid.UUID | None = None
    read_at: datetime | None = utc_column(default=None)
