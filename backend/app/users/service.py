"""User accounts and role assignments, managed by organization admins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Role
from app.auth.service import AuthService
from app.auth.subject import AuthSubject
from app.kit.errors import Conflict, NotFound, field_error
from app.kit.pagination import CursorParams, paginate
from app.kit.schemas import apply_update
from app.tenancy.models import Clinic, Region
from app.users.models import RoleAssignment, ScopeType, User
from app.users.schemas import (
    ClinicPermissions,
    Me,
    MeUpdate,
    PasswordLink,
    RegionPermissions,
    RoleAssignmentCreate,
    RoleAssignmentRead,
    UserCreate,
    UserRead,
    UserUpdate,
)


class UserService:
    def statement(self, subject: AuthSubject) -> Select[Any]:
        return select(User).where(col(User.organization_id) == subject.organization_id)

    async def search(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        *,
        q: str | None,
        is_active: bool | None,
    ) -> tuple[Sequence[User], str | None]:
        statement = self.statement(subject)
        if q:
            pattern = f"%{q.lower()}%"
            statement = statement.where(
                or_(
                    func.lower(col(User.full_name)).like(pattern),
                    func.lower(col(User.email)).like(pattern),
                )
            )
        if is_active is not None:
            statement = statement.where(col(User.is_active).is_(is_active))
        return await paginate(
            session,
            statement,
            params,
            sort=col(User.email),
            id_column=col(User.id),
        )

    async def get(self, session: AsyncSession, subject: AuthSubject, user_id: uuid.UUID) -> User:
        user: User | None = (
            await session.execute(self.statement(subject).where(col(User.id) == user_id))
        ).scalar_one_or_none()
        if user is None:
            raise NotFound("No such user.")
        return user

    async def create(
        self, session: AsyncSession, auth: AuthService, subject: AuthSubject, data: UserCreate
    ) -> tuple[User, PasswordLink]:
        email = data.email.lower()
        exists = (
            await session.execute(select(col(User.id)).where(col(User.email) == email))
        ).first()
        if exists:
            raise Conflict("A user with this e-mail address exists already.")
        user = User(
            organization_id=subject.organization_id,
            email=email,
            full_name=data.full_name,
            locale=data.locale,
        )
        session.add(user)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict("A user with this e-mail address exists already.") from exc
        link = await self._reset_link(session, auth, subject, user)
        await audit_service.record(
            session, "user.created", subject=subject, target_type="user", target_id=user.id
        )
        return user, link

    async def update(
        self,
        session: AsyncSession,
        auth: AuthService,
        subject: AuthSubject,
        user: User,
        data: UserUpdate,
    ) -> User:
        if data.is_active is False and user.is_active:
            if user.id == subject.user.id:
                raise Conflict("You cannot deactivate your own account.")
            await self._ensure_other_admin_remains(session, subject, user_id=user.id)
        changes = apply_update(user, data)
        if not changes:
            return user
        await session.flush()
        if "is_active" in changes:
            action = "user.reactivated" if user.is_active else "user.deactivated"
            if not user.is_active:
                await auth.revoke_all_sessions(session, user.id, "deactivated")
        else:
            action = "user.updated"
        await audit_service.record(
            session, action, subject=subject, target_type="user", target_id=user.id,
            details={"fields": sorted(changes)},
        )  # fmt: skip
        return user

    async def trigger_password_reset(
        self, session: AsyncSession, auth: AuthService, subject: AuthSubject, user: User
    ) -> PasswordLink:
        if not user.is_active:
            raise Conflict("The account is deactivated; reactivate it first.")
        link = await self._reset_link(session, auth, subject, user)
        await auth.revoke_all_sessions(session, user.id, "password_reset")
        await audit_service.record(
            session, "user.password_reset_requested", subject=subject, target_type="user",
            target_id=user.id,
        )  # fmt: skip
        return link

    async def _reset_link(
        self, session: AsyncSession, auth: AuthService, subject: AuthSubject, user: User
    ) -> PasswordLink:
        secret, token = await auth.create_reset_link(session, user, created_by=subject.user.id)
        return PasswordLink(token=secret, url=auth.reset_url(secret), expires_at=token.expires_at)

    # Role assignments ----------------------------------------------------------------------
    async def list_assignments(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        *,
        user_id: uuid.UUID | None,
    ) -> tuple[list[RoleAssignmentRead], str | None]:
        statement = select(RoleAssignment).where(
            col(RoleAssignment.organization_id) == subject.organization_id
        )
        if user_id is not None:
            statement = statement.where(col(RoleAssignment.user_id) == user_id)
        rows, cursor = await paginate(
            session, statement, params,
            sort=col(RoleAssignment.created_at), id_column=col(RoleAssignment.id),
        )  # fmt: skip
        return await self.describe_assignments(session, rows), cursor

    async def describe_assignments(
        self, session: AsyncSession, rows: Sequence[RoleAssignment]
    ) -> list[RoleAssignmentRead]:
        names = await self._scope_names(session, rows)
        return [
            RoleAssignmentRead(
                id=a.id,
                created_at=a.created_at,
                user_id=a.user_id,
                role=a.role,
                scope_type=a.scope_type,
                scope_id=a.scope_id,
                scope_name=names.get(a.scope_id, ""),
            )
            for a in rows
        ]

    async def _scope_names(
        self, session: AsyncSession, rows: Sequence[RoleAssignment]
    ) -> dict[uuid.UUID, str]:
        from app.tenancy.models import Organization

        ids = {a.scope_id for a in rows}
        names: dict[uuid.UUID, str] = {}
        scope_models: tuple[Any, ...] = (Organization, Region, Clinic)
        for model in scope_models:
            result = await session.execute(select(model.id, model.name).where(model.id.in_(ids)))
            names |= {row.id: row.name for row in result}
        return names

    async def _check_scope(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        scope_type: ScopeType,
        scope_id: uuid.UUID,
    ) -> None:
        model: Any = {ScopeType.region: Region, ScopeType.clinic: Clinic}.get(scope_type)
        if model is None:
            valid = scope_id == subject.organization_id
        else:
            obj = await session.get(model, scope_id)
            valid = obj is not None and obj.organization_id == subject.organization_id
        if not valid:
            raise field_error("body.scope_id", f"No such {scope_type.value} in your organization.")

    async def assign_role(
        self,
        session: AsyncSession,
        auth: AuthService,
        subject: AuthSubject,
        data: RoleAssignmentCreate,
    ) -> RoleAssignment:
        user = await self.get(session, subject, data.user_id)
        await self._check_scope(session, subject, data.scope_type, data.scope_id)
        assignment = RoleAssignment(
            user_id=user.id,
            organization_id=subject.organization_id,
            role=data.role,
            scope_type=data.scope_type,
            scope_id=data.scope_id,
        )
        session.add(assignment)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict("The user holds this role in this scope already.") from exc
        if user.id != subject.user.id:
            await auth.revoke_all_sessions(session, user.id, "roles_changed")
        await audit_service.record(
            session, "role.assigned", subject=subject, target_type="user", target_id=user.id,
            clinic_id=data.scope_id if data.scope_type is ScopeType.clinic else None,
            details={"assignment_id": str(assignment.id), "role": data.role.value,
                     "scope_type": data.scope_type.value, "scope_id": str(data.scope_id)},
        )  # fmt: skip
        return assignment

    async def remove_assignment(
        self,
        session: AsyncSession,
        auth: AuthService,
        subject: AuthSubject,
        assignment_id: uuid.UUID,
    ) -> None:
        assignment = (
            await session.execute(
                select(RoleAssignment).where(
                    col(RoleAssignment.id) == assignment_id,
                    col(RoleAssignment.organization_id) == subject.organization_id,
                )
            )
        ).scalar_one_or_none()
        if assignment is None:
            raise NotFound("No such role assignment.")
        if assignment.role is Role.admin and assignment.scope_type is ScopeType.organization:
            await self._ensure_other_admin_remains(session, subject, excluding=assignment.id)
        await session.delete(assignment)
        await session.flush()
        if assignment.user_id != subject.user.id:
            await auth.revoke_all_sessions(session, assignment.user_id, "roles_changed")
        await audit_service.record(
            session, "role.removed", subject=subject, target_type="user",
            target_id=assignment.user_id,
            clinic_id=assignment.scope_id if assignment.scope_type is ScopeType.clinic else None,
            details={"assignment_id": str(assignment.id), "role": assignment.role.value,
                     "scope_type": assignment.scope_type.value,
                     "scope_id": str(assignment.scope_id)},
        )  # fmt: skip

    async def _ensure_other_admin_remains(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        *,
        user_id: uuid.UUID | None = None,
        excluding: uuid.UUID | None = None,
    ) -> None:
        """Refuse a change that would leave the organization without an active admin."""
        statement = (
            select(func.count())
            .select_from(RoleAssignment)
            .join(User, col(User.id) == col(RoleAssignment.user_id))
            .where(
                col(RoleAssignment.organization_id) == subject.organization_id,
                col(RoleAssignment.role) == Role.admin,
                col(RoleAssignment.scope_type) == ScopeType.organization,
                col(User.is_active).is_(True),
            )
        )
        if user_id is not None:
            statement = statement.where(col(User.id) != user_id)
        if excluding is not None:
            statement = statement.where(col(RoleAssignment.id) != excluding)
        if (await session.execute(statement)).scalar_one() == 0:
            raise Conflict("The organization must keep at least one active administrator.")

    # Me ------------------------------------------------------------------------------------
    async def me(self, session: AsyncSession, subject: AuthSubject) -> Me:
        clinics = (
            await session.execute(
                select(Clinic)
                .where(col(Clinic.id).in_(subject.clinic_ids()))
                .order_by(col(Clinic.name))
            )
        ).scalars()
        return Me(
            user=UserRead.model_validate(subject.user),
            role_assignments=await self.describe_assignments(session, subject.assignments),
            organization_permissions=sorted(subject.organization_permissions),
            clinics=[
                ClinicPermissions(
                    clinic_id=c.id,
                    clinic_name=c.name,
                    permissions=sorted(subject.clinic_permissions.get(c.id, frozenset())),
                )
                for c in clinics
            ],
            regions=await self._regions(session, subject),
        )

    async def _regions(
        self, session: AsyncSession, subject: AuthSubject
    ) -> list[RegionPermissions]:
        """Active regions holding one of the subject's clinics, with the permissions held in
        every active clinic of the region (``subject.clinic_permissions`` covers them all)."""
        rows = (
            await session.execute(
                select(Region, col(Clinic.id))
                .join(Clinic, col(Clinic.region_id) == col(Region.id))
                .where(
                    col(Region.organization_id) == subject.organization_id,
                    col(Region.is_active).is_(True),
                    col(Clinic.is_active).is_(True),
                )
                .order_by(col(Region.name), col(Clinic.name))
            )
        ).all()
        regions: dict[uuid.UUID, tuple[Region, list[uuid.UUID]]] = {}
        for region, clinic_id in rows:
            regions.setdefault(region.id, (region, []))[1].append(clinic_id)
        mine = subject.clinic_ids()
        result = []
        for region, clinic_ids in regions.values():
            if not mine.intersection(clinic_ids):
                continue
            held = frozenset.intersection(
                *(subject.clinic_permissions.get(cid, frozenset()) for cid in clinic_ids)
            )
            result.append(
                RegionPermissions(
                    region_id=region.id,
                    region_name=region.name,
                    clinic_ids=clinic_ids,
                    permissions=sorted(held),
                )
            )
        return result

    async def update_me(self, session: AsyncSession, subject: AuthSubject, data: MeUpdate) -> Me:
        changes = apply_update(subject.user, data)
        if changes:
            await session.flush()
            await audit_service.record(
                session, "user.updated", subject=subject, target_type="user",
                target_id=subject.user.id, details={"fields": sorted(changes)},
            )  # fmt: skip
        return await self.me(session, subject)

    async def change_password(
        self,
        session: AsyncSession,
        auth: AuthService,
        subject: AuthSubject,
        current_password: str,
        new_password: str,
    ) -> None:
        user = subject.user
        if not auth.passwords.verify(user.password_hash, current_password):
            raise field_error("body.current_password", "The current password is wrong.")
        await auth.set_password(session, user, new_password, keep_session=subject.session_id)
        await audit_service.record(
            session, "user.password_changed", subject=subject, target_type="user", target_id=user.id
        )


user_service = UserService()
