"""Base schemas: inputs refuse unknown fields (SEC-5), outputs read from ORM objects."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IDSchema(Schema):
    id: uuid.UUID


class TimestampedSchema(IDSchema):
    created_at: datetime
