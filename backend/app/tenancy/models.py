from __future__ import annotations

import uuid

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from app.kit.models import RecordModel


class Organization(RecordModel, table=True):
    """A hospital group: the tenant."""

    __tablename__ = "organizations"

    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True)
    timezone: str = Field(default="Europe/Berlin", max_length=64)
    is_active: bool = True


class Region(RecordModel, table=True):
    """An optional grouping of an organization's clinics."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    name: str = Field(max_length=200)
    is_active: bool = True


class Clinic(RecordModel, table=True):
    """A location of the hospital group; channels, posts and threads belong to one."""

    __tablename__ = "clinics"
    __table_args__ = (UniqueConstraint("organization_id", "slug"),)

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    region_id: uuid.UUID | None = Field(default=None, foreign_key="regions.id", index=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80)
    timezone: str = Field(default="Europe/Berlin", max_length=64)
    is_active: bool = True
