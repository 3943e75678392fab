"""Which active crisis covers a clinic: shared by the crisis API and the publisher."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.crisis.models import CrisisMode
from app.publishing.models import Publication
from app.tenancy.models import Clinic
from app.users.models import ScopeType


def covers_clinic(clinic_id: Any) -> Any:
    """A condition on ``CrisisMode``: its scope contains ``clinic_id`` (a value or a column)."""
    region_of_clinic = (
        select(col(Clinic.region_id)).where(col(Clinic.id) == clinic_id).scalar_subquery()
    )
    return or_(
        col(CrisisMode.scope_type) == ScopeType.organization,
        and_(col(CrisisMode.scope_type) == ScopeType.clinic, col(CrisisMode.scope_id) == clinic_id),
        and_(
            col(CrisisMode.scope_type) == ScopeType.region,
            col(CrisisMode.scope_id) == region_of_clinic,
        ),
    )


async def active_crisis_for(
    session: AsyncSession, organization_id: uuid.UUID, clinic_id: uuid.UUID
) -> CrisisMode | None:
    """The oldest active crisis whose scope contains the clinic, if any."""
    statement = (
        select(CrisisMode)
        .where(
            col(CrisisMode.organization_id) == organization_id,
            col(CrisisMode.ended_at).is_(None),
            covers_clinic(clinic_id),
        )
        .order_by(col(CrisisMode.started_at))
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


class CrisisCheck:
    """The publisher's crisis check for one batch: the active crisis of each clinic is looked
    up once. A publication is held when an active crisis covers its clinic, unless it is a
    holding statement a comms lead released during a crisis that is still active
    (``Publication.crisis_release_id``)."""

    def __init__(self) -> None:
        self._active: dict[tuple[uuid.UUID, uuid.UUID], CrisisMode | None] = {}

    async def holds(self, session: AsyncSession, publication: Publication) -> bool:
        key = (publication.organization_id, publication.clinic_id)
        if key not in self._active:
            self._active[key] = await active_crisis_for(session, *key)
        if self._active[key] is None:
            return False
        if publication.crisis_release_id is None:
            return True
        released_under_active = (
            await session.execute(
                select(col(CrisisMode.id)).where(
                    col(CrisisMode.id) == publication.crisis_release_id,
                    col(CrisisMode.ended_at).is_(None),
                )
            )
        ).first()
        return released_under_active is None


def clinics_in_scope(organization_id: uuid.UUID, scope_type: ScopeType, scope_id: uuid.UUID) -> Any:
    """A subquery of the clinic ids a crisis scope contains."""
    statement = select(col(Clinic.id)).where(col(Clinic.organization_id) == organization_id)
    if scope_type is ScopeType.region:
        statement = statement.where(col(Clinic.region_id) == scope_id)
    elif scope_type is ScopeType.clinic:
        statement = statement.where(col(Clinic.id) == scope_id)
    return statement
