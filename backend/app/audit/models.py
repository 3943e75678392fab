from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from app.kit.models import JSONType, UTCDateTime


class AuditEvent(SQLModel, table=True):
    """An append-only, hash-chained record of a security- or content-relevant action.

    ``details`` holds ids, flags and hashes only, never personal content (SEC-24), so erasing
    a person never requires editing the audit log.
    """

    __tablename__ = "audit_events"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    seq: int | None = Field(default=None, unique=True)
    """Position in the chain; NULL while pending (ADR 0004), set once by whoever links it."""
    occurred_at: datetime = Field(sa_type=UTCDateTime, index=True)
    organization_id: uuid.UUID | None = Field(default=None, index=True)
    clinic_id: uuid.UUID | None = Field(default=None, index=True)
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    action: str = Field(max_length=64, index=True)
    target_type: str | None = Field(default=None, max_length=64)
    target_id: str | None = Field(default=None, max_length=64, index=True)
    ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)
