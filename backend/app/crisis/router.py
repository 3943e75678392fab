from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from app.auth.dependencies import CrisisManage, PostsRead
from app.auth.subject import CurrentUser
from app.crisis.models import CrisisMode
from app.crisis.schemas import CrisisCreate, CrisisPage, CrisisRead, CrisisStarted
from app.crisis.service import crisis_service
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination
from app.publishing.router import publication_read
from app.publishing.schemas import PublicationPage

ERRORS: dict[int | str, dict[str, Any]] = {
    401: Unauthorized.doc(),
    403: Forbidden.doc(),
    422: Unprocessable.doc(),
}
router = APIRouter(prefix="/crisis", tags=["crisis"], responses=ERRORS)


def _crisis(crisis: CrisisMode) -> dict[str, Any]:
    return {**crisis.model_dump(), "active": crisis.ended_at is None}


@router.post(
    "",
    response_model=CrisisStarted,
    status_code=status.HTTP_201_CREATED,
    responses={409: Conflict.doc()},
)
async def start_crisis(
    body: CrisisCreate, subject: CrisisManage, session: DbSession
) -> CrisisStarted:
    """Start crisis mode for the organization, a region or a clinic: every pending publication
    in it is paused in the same transaction. Publications whose platform call had already
    started are listed as in flight."""
    crisis, paused, in_flight = await crisis_service.start(session, subject, body)
    return CrisisStarted.model_validate(
        {**_crisis(crisis), "paused_publications": paused, "in_flight_publication_ids": in_flight}
    )


@router.get("", response_model=CrisisPage)
async def list_crises(subject: CurrentUser, session: DbSession, page: Pagination) -> CrisisPage:
    """Crises of the caller's organization, regions and clinics: active ones first."""
    rows, cursor = await crisis_service.list(session, subject, page)
    return CrisisPage(
        items=[CrisisRead.model_validate(_crisis(c)) for c in rows], next_cursor=cursor
    )


@router.get("/paused", response_model=PublicationPage)
async def list_paused_publications(
    subject: PostsRead, session: DbSession, page: Pagination
) -> PublicationPage:
    """Paused publications for review; each is resumed one by one with a new time."""
    rows, cursor = await crisis_service.paused(session, subject, page)
    return PublicationPage(items=[publication_read(p, c) for p, c in rows], next_cursor=cursor)


@router.post(
    "/{crisis_id}/end",
    response_model=CrisisRead,
    responses={404: NotFound.doc(), 409: Conflict.doc()},
)
async def end_crisis(crisis_id: uuid.UUID, subject: CrisisManage, session: DbSession) -> CrisisRead:
    """End crisis mode. Nothing is resumed automatically: paused publications are reviewed."""
    return CrisisRead.model_validate(_crisis(await crisis_service.end(session, subject, crisis_id)))
