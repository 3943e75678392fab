from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from app.auth.dependencies import ClinicsManage, OrganizationManage
from app.auth.subject import CurrentUser
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination
from app.tenancy.schemas import (
    ClinicCreate,
    ClinicPage,
    ClinicRead,
    ClinicUpdate,
    OrganizationPage,
    OrganizationRead,
    OrganizationUpdate,
    RegionCreate,
    RegionPage,
    RegionRead,
    RegionUpdate,
)
from app.tenancy.service import tenancy_service

ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: NotFound.doc(),
    409: Conflict.doc(),
    422: Unprocessable.doc(),
}
organizations = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERRORS)
regions = APIRouter(prefix="/regions", tags=["regions"], responses=ERRORS)
clinics = APIRouter(prefix="/clinics", tags=["clinics"], responses=ERRORS)


@organizations.get("", response_model=OrganizationPage)
async def list_organizations(subject: CurrentUser, session: DbSession) -> OrganizationPage:
    """The caller's organization (a user belongs to exactly one)."""
    rows = await tenancy_service.list_organizations(session, subject)
    return OrganizationPage(
        items=[OrganizationRead.model_validate(o) for o in rows], next_cursor=None
    )


@organizations.get(
    "/{organization_id}", response_model=OrganizationRead, responses={404: NotFound.doc()}
)
async def get_organization(
    organization_id: uuid.UUID, subject: CurrentUser, session: DbSession
) -> OrganizationRead:
    return OrganizationRead.model_validate(
        await tenancy_service.get_organization(session, subject, organization_id)
    )


@organizations.patch("/{organization_id}", response_model=OrganizationRead, responses=WRITE_ERRORS)
async def update_organization(
    organization_id: uuid.UUID,
    body: OrganizationUpdate,
    subject: OrganizationManage,
    session: DbSession,
) -> OrganizationRead:
    org = await tenancy_service.get_organization(session, subject, organization_id)
    return OrganizationRead.model_validate(
        await tenancy_service.update_organization(session, subject, org, body)
    )


@regions.get("", response_model=RegionPage, responses={422: Unprocessable.doc()})
async def list_regions(subject: CurrentUser, session: DbSession, page: Pagination) -> RegionPage:
    """Regions that contain a clinic the caller works for (all of them for organization admins)."""
    rows, cursor = await tenancy_service.list_regions(session, subject, page)
    return RegionPage(items=[RegionRead.model_validate(r) for r in rows], next_cursor=cursor)


@regions.post(
    "", response_model=RegionRead, status_code=status.HTTP_201_CREATED, responses=WRITE_ERRORS
)
async def create_region(
    body: RegionCreate, subject: OrganizationManage, session: DbSession
) -> RegionRead:
    return RegionRead.model_validate(await tenancy_service.create_region(session, subject, body))


@regions.get("/{region_id}", response_model=RegionRead, responses={404: NotFound.doc()})
async def get_region(region_id: uuid.UUID, subject: CurrentUser, session: DbSession) -> RegionRead:
    return RegionRead.model_validate(await tenancy_service.get_region(session, subject, region_id))


@regions.patch("/{region_id}", response_model=RegionRead, responses=WRITE_ERRORS)
async def update_region(
    region_id: uuid.UUID, body: RegionUpdate, subject: OrganizationManage, session: DbSession
) -> RegionRead:
    """Rename, deactivate (`is_active: false`) or reactivate a region."""
    region = await tenancy_service.get_region(session, subject, region_id)
    return RegionRead.model_validate(
        await tenancy_service.update_region(session, subject, region, body)
    )


@clinics.get("", response_model=ClinicPage, responses={422: Unprocessable.doc()})
async def list_clinics(subject: CurrentUser, session: DbSession, page: Pagination) -> ClinicPage:
    """Clinics the caller works for (all of them for organization admins), by name."""
    rows, cursor = await tenancy_service.list_clinics(session, subject, page)
    return ClinicPage(items=[ClinicRead.model_validate(c) for c in rows], next_cursor=cursor)


@clinics.post(
    "", response_model=ClinicRead, status_code=status.HTTP_201_CREATED, responses=WRITE_ERRORS
)
async def create_clinic(
    body: ClinicCreate, subject: OrganizationManage, session: DbSession
) -> ClinicRead:
    return ClinicRead.model_validate(await tenancy_service.create_clinic(session, subject, body))


@clinics.get("/{clinic_id}", response_model=ClinicRead, responses={404: NotFound.doc()})
async def get_clinic(clinic_id: uuid.UUID, subject: CurrentUser, session: DbSession) -> ClinicRead:
    return ClinicRead.model_validate(await tenancy_service.get_clinic(session, subject, clinic_id))


@clinics.patch("/{clinic_id}", response_model=ClinicRead, responses=WRITE_ERRORS)
async def update_clinic(
    clinic_id: uuid.UUID, body: ClinicUpdate, subject: ClinicsManage, session: DbSession
) -> ClinicRead:
    """Change name, slug, time zone or region; deactivate with `is_active: false`."""
    clinic = await tenancy_service.get_clinic(session, subject, clinic_id)
    return ClinicRead.model_validate(
        await tenancy_service.update_clinic(session, subject, clinic, body)
    )
