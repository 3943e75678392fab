"""In-app notifications: written in the caller's transaction, read only by their recipient."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from app.auth.subject import AuthSubject
from app.kit.errors import NotFound
from app.kit.pagination import CursorParams, paginate
from app.kit.time import utc_now
from app.notifications.models import Notification, NotificationKind
from app.tenancy.models import Clinic
from app.users.models import RoleAssignment, ScopeType, User


async def notify(
    session: AsyncSession,
    *,
    user_ids: Iterable[uuid.UUID],
    kind: NotificationKind,
    organization_id: uuid.UUID,
    clinic_id: uuid.UUID | None,
    title_de: str,
    body_de: str,
    link: str,
    target_type: str | None = None,
    target_id: uuid.UUID | None = None,
) -> list[Notification]:
    """One notification per distinct user, added to the caller's transaction (flushed)."""
    values: dict[str, Any] = {
        "organization_id": organization_id, "clinic_id": clinic_id, "kind": kind,
        "title_de": title_de[:200], "body_de": body_de[:1000], "link": link,
        "target_type": target_type, "target_id": target_id,
    }  # fmt: skip
    rows = [Notification(user_id=user_id, **values) for user_id in dict.fromkeys(user_ids)]
    session.add_all(rows)
    await session.flush()
    return rows


async def users_with(
    session: AsyncSession,
    organization_id: uuid.UUID,
    clinic_id: uuid.UUID | None,
    roles: Collection[Role],
) -> list[uuid.UUID]:
    """Active users holding one of ``roles`` for the clinic (through the organization, the
    clinic's region or the clinic itself), or for the organization when ``clinic_id`` is None."""
    scope: ColumnElement[bool] = col(RoleAssignment.scope_type) == ScopeType.organization
    if clinic_id is not None:
        clinic = await session.get(Clinic, clinic_id)
        scope = or_(
            scope,
            (col(RoleAssignment.scope_type) == ScopeType.clinic)
            & (col(RoleAssignment.scope_id) == clinic_id),
        )
        if clinic is not None and clinic.region_id is not None:
            scope = or_(
                scope,
                (col(RoleAssignment.scope_type) == ScopeType.region)
                & (col(RoleAssignment.scope_id) == clinic.region_id),
            )
    statement = (
        select(col(User.id))
        .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
        .where(
            col(User.organization_id) == organization_id,
            col(User.is_active).is_(True),
            col(RoleAssignment.organization_id) == organization_id,
            col(RoleAssignment.role).in_(list(roles)),
            scope,
        )
        .distinct()
    )
    return sorted((await session.execute(statement)).scalars())


async def admins_of(
    session: AsyncSession, organization_id: uuid.UUID, clinic_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """Active users holding ``channels.manage`` for the clinic (or the organization)."""
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if Permission.channels_manage in perms]
    return await users_with(session, organization_id, clinic_id, roles)


class NotificationService:
    def statement(self, subject: AuthSubject) -> Select[Any]:
        return select(Notification).where(col(Notification.user_id) == subject.user.id)

    async def search(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        *,
        unread: bool | None,
    ) -> tuple[Sequence[Notification], str | None]:
        statement = self.statement(subject)
        if unread is not None:
            read_at = col(Notification.read_at)
            statement = statement.where(read_at.is_(None) if unread else read_at.is_not(None))
        return await paginate(
            session, statement, params,
            sort=col(Notification.created_at), id_column=col(Notification.id), descending=True,
        )  # fmt: skip

    async def unread_count(self, session: AsyncSession, subject: AuthSubject) -> int:
        statement = (
            select(func.count())
            .select_from(Notification)
            .where(
                col(Notification.user_id) == subject.user.id,
                col(Notification.read_at).is_(None),
            )
        )
        return int((await session.execute(statement)).scalar_one())

    async def mark_read(
        self, session: AsyncSession, subject: AuthSubject, notification_id: uuid.UUID
    ) -> Notification:
        notification: Notification | None = (
            await session.execute(
                self.statement(subject).where(col(Notification.id) == notification_id)
            )
        ).scalar_one_or_none()
        if notification is None:
            raise NotFound("No such notification.")
        if notification.read_at is None:
            notification.read_at = utc_now()
            session.add(notification)
            await session.flush()
        return notification

    async def mark_all_read(self, session: AsyncSession, subject: AuthSubject) -> None:
        await session.execute(
            update(Notification)
            .where(
                col(Notification.user_id) == subject.user.id,
                col(Notification.read_at).is_(None),
            )
            .values(read_at=utc_now(), updated_at=utc_now())
        )


notification_service = NotificationService()
