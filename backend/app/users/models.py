from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from app.auth.permissions import Role
from app.kit.models import RecordModel, enum_column, utc_column


class ScopeType(StrEnum):
    """Where a role assignment applies: the whole organization, one region's clinics, one clinic."""

    organization = "organization"
    region = "region"
    clinic = "clinic"


class User(RecordModel, table=True):
    __tablename__ = "users"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=200)
    locale: str = Field(default="de", max_length=5)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    password_changed_at: datetime | None = utc_column(default=None)
    last_login_at: datetime | None = utc_column(default=None)


class RoleAssignment(RecordModel, table=True):
    """A role held by a user within a scope."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope_type", "scope_id"),)

    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    role: Role = enum_column(Role)
    scope_type: ScopeType = enum_column(ScopeType)
    scope_id: uuid.UUID = Field(index=True)
