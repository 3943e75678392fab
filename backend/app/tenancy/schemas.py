from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from app.kit.schemas import InputSchema, PatchSchema, Schema, TimestampedSchema
from app.kit.time import is_valid_timezone


def _check_timezone(value: str) -> str:
    if not is_valid_timezone(value):
        raise ValueError("unknown time zone; use an IANA name such as Europe/Berlin")
    return value


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_check_timezone)]


class OrganizationRead(TimestampedSchema):
    name: str
    slug: str
    timezone: str
    is_active: bool


class OrganizationUpdate(PatchSchema):
    name: Name | None = None
    timezone: TimeZone | None = None


class RegionRead(TimestampedSchema):
    organization_id: uuid.UUID
    name: str
    is_active: bool


class RegionCreate(InputSchema):
    name: Name


class RegionUpdate(PatchSchema):
    name: Name | None = None
    is_active: bool | None = None


class ClinicRead(TimestampedSchema):
    organization_id: uuid.UUID
    region_id: uuid.UUID | None
    name: str
    slug: str
    timezone: str
    is_active: bool


class ClinicCreate(InputSchema):
    name: Name
    slug: Slug
    timezone: TimeZone = "Europe/Berlin"
    region_id: uuid.UUID | None = None


class ClinicUpdate(PatchSchema):
    nullable_fields = frozenset({"region_id"})

    name: Name | None = None
    slug: Slug | None = None
    timezone: TimeZone | None = None
    region_id: uuid.UUID | None = Field(default=None, description="null removes the region.")
    is_active: bool | None = None


class RegionPage(Schema):
    items: list[RegionRead]
    next_cursor: str | None


class ClinicPage(Schema):
    items: list[ClinicRead]
    next_cursor: str | None


class OrganizationPage(Schema):
    items: list[OrganizationRead]
    next_cursor: str | None
