"""Create the first administrator from the command line."""

from __future__ import annotations

import re

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.passwords import Passwords, check_password_policy
from app.auth.permissions import Role
from app.config import Settings
from app.kit.db import Database
from app.kit.errors import Unprocessable
from app.tenancy.models import Organization
from app.users.models import RoleAssignment, ScopeType, User


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "organisation"


async def create_admin(
    settings: Settings, *, email: str, full_name: str, organization: str, password: str
) -> None:
    try:
        email = TypeAdapter(EmailStr).validate_python(email).lower()
        check_password_policy(password, email=email, field="password")
    except ValidationError as exc:
        raise ValueError("invalid e-mail address") from exc
    except Unprocessable as exc:
        raise ValueError(exc.detail) from exc
    database = Database(settings.resolved_database_url)
    try:
        async with database.session_scope() as session:
            if (
                await session.execute(select(col(User.id)).where(col(User.email) == email))
            ).first():
                raise ValueError("a user with this e-mail address exists already")
            slug = _slug(organization)
            org = (
                await session.execute(select(Organization).where(col(Organization.slug) == slug))
            ).scalar_one_or_none()
            if org is None:
                org = Organization(name=organization, slug=slug)
                session.add(org)
                await session.flush()
            user = User(
                organization_id=org.id,
                email=email,
                full_name=full_name,
                password_hash=Passwords(settings).hash(password),
            )
            session.add(user)
            await session.flush()
            session.add(
                RoleAssignment(
                    user_id=user.id,
                    organization_id=org.id,
                    role=Role.admin,
                    scope_type=ScopeType.organization,
                    scope_id=org.id,
                )
            )
            await audit_service.record(
                session, "user.created", organization_id=org.id, target_type="user",
                target_id=user.id, details={"source": "cli", "role": Role.admin.value},
            )  # fmt: skip
    finally:
        await database.dispose()
