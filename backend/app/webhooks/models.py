"""Raw webhook deliveries, stored before anything else happens (platforms.md §1.4)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, UniqueConstraint
from sqlmodel import Field

from app.kit.models import RecordModel, enum_column, utc_column


class WebhookEventStatus(StrEnum):
    """``received`` waits for (or retries in) the worker; ``processed`` went into the inbox;
    ``ignored`` was kept but concerns nothing we know (``reason`` says why)."""

    received = "received"
    processed = "processed"
    ignored = "ignored"


class WebhookEvent(RecordModel, table=True):
    """One signed delivery exactly as received. ``dedupe_key`` is built from the platform's
    ids, so a platform retry or duplicate delivery finds the row already there."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("provider", "dedupe_key"),
        Index("ix_webhook_events_status", "status", "received_at"),
    )

    provider: str = Field(max_length=32)
    object: str | None = Field(default=None, max_length=32)
    """The envelope's ``object`` (Meta: ``page``, ``instagram``)."""
    dedupe_key: str = Field(max_length=100)
    received_at: datetime = utc_column()
    body: bytes = Field(sa_type=LargeBinary)
    """The raw request body, byte for byte (the signature was checked over exactly these)."""
    status: WebhookEventStatus = enum_column(
        WebhookEventStatus, default=WebhookEventStatus.received
    )
    reason: str | None = Field(default=None, max_length=500)
    processed_at: datetime | None = utc_column(default=None)
    messages_created: int = 0
