from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from app.connectors.base import Platform
from app.kit.pagination import CursorPage
from app.kit.schemas import InputSchema, TimestampedSchema
from app.publishing.models import PublicationStatus


class PublicationRead(TimestampedSchema):
    post_id: uuid.UUID
    channel_id: uuid.UUID
    clinic_id: uuid.UUID
    channel_name: str
    platform: Platform
    status: PublicationStatus
    due_at: datetime
    next_attempt_at: datetime
    attempts: int
    error: str | None = Field(description="What went wrong, in plain German, for editors.")
    error_code: str | None
    platform_post_id: str | None
    platform_url: str | None
    published_at: datetime | None


PublicationPage = CursorPage[PublicationRead]


class _NewTime(InputSchema):
    """A new publishing time: ``at_local`` (wall-clock time in the clinic's time zone, as the
    paused list shows it) or ``at`` (an instant with offset). On the autumn DST switch a local
    time exists twice: name ``fold`` 0 (first, summer time) or 1 (second, standard time)."""

    at: AwareDatetime | None = Field(
        default=None, description="An instant with offset, e.g. `2026-03-29T09:30:00+02:00`."
    )
    at_local: datetime | None = Field(
        default=None, description="Wall-clock time in the clinic's zone, e.g. `2026-03-29T09:30`."
    )
    fold: Literal[0, 1] | None = None

    @model_validator(mode="after")
    def _at_most_one(self) -> _NewTime:
        if self.at is not None and self.at_local is not None:
            raise ValueError("give only one of at and at_local")
        if self.at_local is not None and self.at_local.tzinfo is not None:
            raise ValueError("at_local has no offset; use at for an instant")
        return self


class PublicationRetry(_NewTime):
    """When to publish again (in the future); now when neither time is given."""


class PublicationResume(_NewTime):
    """The new publishing time (in the future): one of ``at_local`` and ``at``."""

    @model_validator(mode="after")
    def _one_of(self) -> PublicationResume:
        if self.at is None and self.at_local is None:
            raise ValueError("give one of at_local and at")
        return self
