"""Organizations, regions and clinics, and the one scope helper every module builds on."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.kit.errors import Conflict, NotFound, field_error
from app.kit.pagination import CursorParams, paginate
from app.kit.schemas import apply_update
from app.tenancy.models import Clinic, Organization, Region
from app.tenancy.schemas import (
    ClinicCreate,
    ClinicUpdate,
    OrganizationUpdate,
    RegionCreate,
    RegionUpdate,
)


def readable_clinic_ids(
    subject: AuthSubject, permission: Permission | None = None
) -> set[uuid.UUID]:
    """The clinics whose objects the subject may see (with ``permission``, if given)."""
    return subject.clinic_ids(permission)


class TenancyService:
    # Organizations -------------------------------------------------------------------------
    async def list_organizations(
        self, session: AsyncSession, subject: AuthSubject
    ) -> Sequence[Organization]:
        return [await self.get_organization(session, subject, subject.organization_id)]

    async def get_organization(
        self, session: AsyncSession, subject: AuthSubject, organization_id: uuid.UUID
    ) -> Organization:
        org = await session.get(Organization, organization_id)
        if org is None or org.id != subject.organization_id:
            raise NotFound("No such organization.")
        return org

    async def update_organization(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        org: Organization,
        data: OrganizationUpdate,
    ) -> Organization:
        changes = apply_update(org, data)
        if changes:
            await session.flush()
            await audit_service.record(
                session, "organization.updated", subject=subject, target_type="organization",
                target_id=org.id, details={"changes": changes},
            )  # fmt: skip
        return org

    # Regions -------------------------------------------------------------------------------
    def regions_statement(self, subject: AuthSubject) -> Select[Any]:
        statement = select(Region).where(col(Region.organization_id) == subject.organization_id)
        if subject.has_org(Permission.organization_manage):
            return statement
        clinic_regions = select(col(Clinic.region_id)).where(
            col(Clinic.id).in_(readable_clinic_ids(subject))
        )
        return statement.where(col(Region.id).in_(clinic_regions))

    async def list_regions(
        self, session: AsyncSession, subject: AuthSubject, params: CursorParams
    ) -> tuple[Sequence[Region], str | None]:
        return await paginate(
            session, self.regions_statement(subject), params,
            sort=col(Region.name), id_column=col(Region.id),
        )  # fmt: skip

    async def get_region(
        self, session: AsyncSession, subject: AuthSubject, region_id: uuid.UUID
    ) -> Region:
        region: Region | None = (
            await session.execute(
                self.regions_statement(subject).where(col(Region.id) == region_id)
            )
        ).scalar_one_or_none()
        if region is None:
            raise NotFound("No such region.")
        return region

    async def create_region(
        self, session: AsyncSession, subject: AuthSubject, data: RegionCreate
    ) -> Region:
        region = Region(organization_id=subject.organization_id, name=data.name)
        session.add(region)
        await self._flush_unique(session, "A region with this name exists already.")
        await audit_service.record(
            session, "region.created", subject=subject, target_type="region", target_id=region.id
        )
        return region

    async def update_region(
        self, session: AsyncSession, subject: AuthSubject, region: Region, data: RegionUpdate
    ) -> Region:
        changes = apply_update(region, data)
        if changes:
            await self._flush_unique(session, "A region with this name exists already.")
            await audit_service.record(
                session, "region.updated", subject=subject, target_type="region",
                target_id=region.id, details={"changes": changes},
            )  # fmt: skip
        return region

    # Clinics -------------------------------------------------------------------------------
    def clinics_statement(self, subject: AuthSubject) -> Select[Any]:
        statement = select(Clinic).where(col(Clinic.organization_id) == subject.organization_id)
        if subject.has_org(Permission.organization_manage):
            return statement
        return statement.where(col(Clinic.id).in_(readable_clinic_ids(subject)))

    async def list_clinics(
        self, session: AsyncSession, subject: AuthSubject, params: CursorParams
    ) -> tuple[Sequence[Clinic], str | None]:
        return await paginate(
            session, self.clinics_statement(subject), params,
            sort=col(Clinic.name), id_column=col(Clinic.id),
        )  # fmt: skip

    async def get_clinic(
        self, session: AsyncSession, subject: AuthSubject, clinic_id: uuid.UUID
    ) -> Clinic:
        clinic: Clinic | None = (
            await session.execute(
                self.clinics_statement(subject).where(col(Clinic.id) == clinic_id)
            )
        ).scalar_one_or_none()
        if clinic is None:
            raise NotFound("No such clinic.")
        return clinic

    async def _check_region(
        self, session: AsyncSession, subject: AuthSubject, region_id: uuid.UUID | None
    ) -> None:
        if region_id is None:
            return
        region = await session.get(Region, region_id)
        if region is None or region.organization_id != subject.organization_id:
            raise field_error("body.region_id", "No such region in your organization.")

    async def create_clinic(
        self, session: AsyncSession, subject: AuthSubject, data: ClinicCreate
    ) -> Clinic:
        await self._check_region(session, subject, data.region_id)
        clinic = Clinic(organization_id=subject.organization_id, **data.model_dump())
        session.add(clinic)
        await self._flush_unique(session, "A clinic with this slug exists already.")
        await audit_service.record(
            session, "clinic.created", subject=subject, clinic_id=clinic.id,
            target_type="clinic", target_id=clinic.id,
        )  # fmt: skip
        return clinic

    async def update_clinic(
        self, session: AsyncSession, subject: AuthSubject, clinic: Clinic, data: ClinicUpdate
    ) -> Clinic:
        if "region_id" in data.model_fields_set:
            await self._check_region(session, subject, data.region_id)
        changes = apply_update(clinic, data)
        if changes:
            await self._flush_unique(session, "A clinic with this slug exists already.")
            await audit_service.record(
                session, "clinic.updated", subject=subject, clinic_id=clinic.id,
                target_type="clinic", target_id=clinic.id, details={"changes": changes},
            )  # fmt: skip
        return clinic

    async def _flush_unique(self, session: AsyncSession, message: str) -> None:
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict(message) from exc


tenancy_service = TenancyService()
