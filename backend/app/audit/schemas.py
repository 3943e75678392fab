from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from app.kit.schemas import Schema


class AuditEventRead(Schema):
    id: uuid.UUID
    seq: int | None = Field(
        description="Position in the hash chain; null for a few seconds until the event is linked."
    )
    occurred_at: datetime
    action: str
    actor_id: uuid.UUID | None
    actor_name: str | None
    target_type: str | None
    target_id: str | None
    clinic_id: uuid.UUID | None
    ip: str | None
    details: dict[str, Any]


class AuditEventPage(Schema):
    items: list[AuditEventRead]
    next_cursor: str | None


class AuditVerification(Schema):
    ok: bool
    checked: int
    first_broken_id: uuid.UUID | None
