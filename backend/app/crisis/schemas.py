from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.kit.pagination import CursorPage
from app.kit.schemas import InputSchema, TimestampedSchema
from app.users.models import ScopeType

Reason = Annotated[str, StringConstraints(min_length=3, max_length=1000)]


class CrisisCreate(InputSchema):
    scope_type: ScopeType
    scope_id: uuid.UUID = Field(description="The organization, region or clinic in crisis.")
    reason: Reason


class CrisisRead(TimestampedSchema):
    organization_id: uuid.UUID
    scope_type: ScopeType
    scope_id: uuid.UUID
    reason: str
    started_by_id: uuid.UUID
    started_at: datetime
    ended_at: datetime | None
    ended_by_id: uuid.UUID | None
    active: bool


class CrisisStarted(CrisisRead):
    paused_publications: int = Field(description="Pending publications paused by this action.")
    in_flight_publication_ids: list[uuid.UUID] = Field(
        description="Publications whose platform call had already started; they may still "
        "appear and must be checked."
    )


CrisisPage = CursorPage[CrisisRead]
