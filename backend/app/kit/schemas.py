"""Base schemas: inputs refuse unknown fields (SEC-5), outputs read from ORM objects."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IDSchema(Schema):
    id: uuid.UUID


class TimestampedSchema(IDSchema):
    created_at: datetime


class PatchSchema(InputSchema):
    """A partial update: absent fields keep their value; ``null`` only where it means "clear"."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise ValueError("must not be null; leave the field out to keep its value")
        return value


def apply_update(obj: Any, update: BaseModel) -> dict[str, dict[str, Any]]:
    """Apply a partial update (only the fields that were sent); return
    ``{field: {"before", "after"}}`` of what actually changed, for the audit log."""
    changed: dict[str, dict[str, Any]] = {}
    for key, value in update.model_dump(exclude_unset=True).items():
        before = getattr(obj, key)
        if before != value:
            setattr(obj, key, value)
            changed[key] = {"before": _plain(before), "after": _plain(value)}
    return changed


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value
