from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, Field

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


class PublicationRetry(InputSchema):
    at: AwareDatetime | None = Field(
        default=None, description="When to publish again (future, with offset); now if omitted."
    )


class PublicationResume(InputSchema):
    at: AwareDatetime = Field(description="The new publishing time (future, with offset).")
