from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints

from app.auth.permissions import Permission, Role
from app.kit.schemas import InputSchema, PatchSchema, Schema, TimestampedSchema
from app.users.models import ScopeType

Locale = Literal["de", "en"]
FullName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Password = Annotated[str, Field(min_length=1, max_length=1024)]


class UserRead(TimestampedSchema):
    organization_id: uuid.UUID
    email: str
    full_name: str
    locale: str
    is_active: bool
    last_login_at: datetime | None


class PasswordLink(Schema):
    """A one-time link to set a password; shown once, hand it to the user personally."""

    token: str
    url: str
    expires_at: datetime


class UserCreated(UserRead):
    password_setup: PasswordLink


class UserCreate(InputSchema):
    email: EmailStr = Field(max_length=254)
    full_name: FullName
    locale: Locale = "de"


class UserUpdate(PatchSchema):
    full_name: FullName | None = None
    locale: Locale | None = None
    is_active: bool | None = None


class UserPage(Schema):
    items: list[UserRead]
    next_cursor: str | None


class RoleAssignmentRead(TimestampedSchema):
    user_id: uuid.UUID
    role: Role
    scope_type: ScopeType
    scope_id: uuid.UUID
    scope_name: str


class RoleAssignmentCreate(InputSchema):
    user_id: uuid.UUID
    role: Role
    scope_type: ScopeType
    scope_id: uuid.UUID


class RoleAssignmentPage(Schema):
    items: list[RoleAssignmentRead]
    next_cursor: str | None


class RoleRead(Schema):
    role: Role
    label_de: str
    label_en: str
    permissions: list[Permission]


class RoleList(Schema):
    items: list[RoleRead]


class ClinicPermissions(Schema):
    clinic_id: uuid.UUID
    clinic_name: str
    permissions: list[Permission]


class RegionPermissions(Schema):
    region_id: uuid.UUID
    region_name: str
    clinic_ids: list[uuid.UUID] = Field(description="The region's active clinics.")
    permissions: list[Permission] = Field(
        description="What the user may do for the region as a whole: held in every one of its "
        "clinics (e.g. `crisis.manage` for a region-wide crisis)."
    )


class Me(Schema):
    user: UserRead
    role_assignments: list[RoleAssignmentRead]
    organization_permissions: list[Permission]
    clinics: list[ClinicPermissions]
    regions: list[RegionPermissions] = Field(
        description="Regions with at least one of the user's clinics."
    )


class MeUpdate(PatchSchema):
    full_name: FullName | None = None
    locale: Locale | None = None


class PasswordChange(InputSchema):
    current_password: Password
    new_password: Password
