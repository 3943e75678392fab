from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.kit.schemas import TimestampedSchema


class MediaRead(TimestampedSchema):
    """An uploaded image as stored: re-encoded, without metadata."""

    organization_id: uuid.UUID
    clinic_id: uuid.UUID
    uploaded_by_id: uuid.UUID
    filename: str
    content_type: str = Field(description="Detected from the content, not the file name.")
    size_bytes: int
    width: int | None
    height: int | None
    sha256: str = Field(description="SHA-256 of the stored (re-encoded) file.")
    content_url: str = Field(description="`GET` it with the access token to see the image.")
    updated_at: datetime
