"""Who is calling, and what they may do where. The one auth dependency lives here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import UserSession
from app.auth.permissions import ROLE_PERMISSIONS, Permission
from app.auth.tokens import InvalidToken, decode_access_token
from app.kit.db import DbSession
from app.kit.errors import Forbidden, Unauthorized
from app.tenancy.models import Clinic
from app.users.models import RoleAssignment, ScopeType, User

_bearer = HTTPBearer(auto_error=False, description="Access token from `POST /auth/login`.")


@dataclass
class AuthSubject:
    """An authenticated user with effective permissions per clinic of their organization."""

    user: User
    session_id: uuid.UUID
    assignments: list[RoleAssignment]
    organization_permissions: frozenset[Permission]
    clinic_permissions: dict[uuid.UUID, frozenset[Permission]] = field(default_factory=dict)

    @property
    def organization_id(self) -> uuid.UUID:
        return self.user.organization_id

    def has_org(self, permission: Permission) -> bool:
        return permission in self.organization_permissions

    def has_anywhere(self, permission: Permission) -> bool:
        return self.has_org(permission) or any(
            permission in perms for perms in self.clinic_permissions.values()
        )

    def clinic_ids(self, permission: Permission | None = None) -> set[uuid.UUID]:
        """Clinics where the subject holds ``permission`` (any permission when None)."""
        return {
            cid
            for cid, perms in self.clinic_permissions.items()
            if perms and (permission is None or permission in perms)
        }


def effective_permissions(
    assignments: Iterable[RoleAssignment], clinics: Iterable[Clinic]
) -> tuple[frozenset[Permission], dict[uuid.UUID, frozenset[Permission]]]:
    clinics = list(clinics)
    org: set[Permission] = set()
    per_clinic: dict[uuid.UUID, set[Permission]] = {c.id: set() for c in clinics}
    for assignment in assignments:
        perms = ROLE_PERMISSIONS[assignment.role]
        if assignment.scope_type is ScopeType.organization:
            org |= perms
            targets = [c.id for c in clinics]
        elif assignment.scope_type is ScopeType.region:
            targets = [c.id for c in clinics if c.region_id == assignment.scope_id]
        else:
            targets = [c.id for c in clinics if c.id == assignment.scope_id]
        for cid in targets:
            per_clinic[cid] |= perms
    return frozenset(org), {cid: frozenset(p) for cid, p in per_clinic.items()}


async def load_subject(session: AsyncSession, user: User, session_id: uuid.UUID) -> AuthSubject:
    assignments = list(
        (
            await session.execute(
                select(RoleAssignment).where(col(RoleAssignment.user_id) == user.id)
            )
        ).scalars()
    )
    clinics = (
        await session.execute(
            select(Clinic).where(
                col(Clinic.organization_id) == user.organization_id,
                col(Clinic.is_active).is_(True),
            )
        )
    ).scalars()
    org, per_clinic = effective_permissions(assignments, clinics)
    return AuthSubject(user, session_id, assignments, org, per_clinic)


class Authenticator:
    """Resolve the caller from the bearer token; optionally require a permission somewhere.

    A missing permission is a 403 (the function itself is off limits, SEC-3); objects outside
    the caller's scope are filtered by the services and answer 404 (SEC-1).
    """

    def __init__(self, permission: Permission | None = None, *, org_level: bool = False) -> None:
        self.permission = permission
        self.org_level = org_level

    async def __call__(
        self,
        request: Request,
        session: DbSession,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> AuthSubject:
        if credentials is None:
            raise Unauthorized("Sign in first: the request carries no access token.")
        settings = request.app.state.settings
        try:
            claims = decode_access_token(
                credentials.credentials,
                key=request.app.state.signing_key,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
            )
        except InvalidToken:
            raise Unauthorized("The access token is invalid or expired.") from None
        user_session = await session.get(UserSession, claims.session_id)
        if (
            user_session is None
            or user_session.revoked_at is not None
            or user_session.user_id != claims.user_id
        ):
            raise Unauthorized("The session has ended. Please sign in again.")
        user = await session.get(User, claims.user_id)
        if user is None or not user.is_active:
            raise Unauthorized("The account is deactivated.")
        subject = await load_subject(session, user, user_session.id)
        if self.permission is not None and not (
            subject.has_org(self.permission)
            if self.org_level
            else subject.has_anywhere(self.permission)
        ):
            from app.audit.service import audit_service

            await audit_service.record(
                session,
                "auth.forbidden",
                subject=subject,
                ip=client_ip(request),
                details={"permission": self.permission.value, "path": request.url.path},
            )
            raise ForbiddenRecorded("Your role does not allow this action.")
        return subject


class ForbiddenRecorded(Forbidden):
    commit_anyway = True


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


CurrentUser = Annotated[AuthSubject, Depends(Authenticator())]
