from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from app.kit.models import RecordModel, enum_column, utc_column
from app.users.models import ScopeType


class CrisisMode(RecordModel, table=True):
    """An active (``ended_at`` null) or past crisis for the organization, a region or a clinic.
    While active, nothing in its scope is published; ending it resumes nothing by itself."""

    __tablename__ = "crisis_modes"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    scope_type: ScopeType = enum_column(ScopeType)
    scope_id: uuid.UUID = Field(index=True)
    reason: str = Field(max_length=1000)
    started_by_id: uuid.UUID = Field(foreign_key="users.id")
    started_at: datetime = utc_column()
    ended_at: datetime | None = utc_column(default=None)
    ended_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
