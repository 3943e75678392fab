from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from app.auth.dependencies import CrisisManage, PostsRead
from app.auth.subject import CurrentUser
from app.crisis.holding import holding_service
from app.crisis.models import CrisisMode
from app.crisis.schemas import (
    CrisisCreate,
    CrisisPage,
    CrisisRead,
    CrisisStarted,
    HoldingFlag,
    HoldingPublish,
    HoldingPublished,
    HoldingStatementPage,
    HoldingStatementRead,
    PausedPublicationPage,
)
from app.crisis.service import crisis_service
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination

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


@router.get("/paused", response_model=PausedPublicationPage)
async def list_paused_publications(
    subject: PostsRead, session: DbSession, page: Pagination
) -> PausedPublicationPage:
    """Paused publications for review, each with its clinic's time zone and the due time in
    it; each is resumed one by one with a new local time
    (`POST /publications/{id}/resume` with `at_local`)."""
    items, cursor = await crisis_service.paused(session, subject, page)
    return PausedPublicationPage(items=items, next_cursor=cursor)


@router.get("/holding-statements", response_model=HoldingStatementPage)
async def list_holding_statements(
    subject: PostsRead, session: DbSession, page: Pagination, clinic: uuid.UUID | None = None
) -> HoldingStatementPage:
    """The dark-site set: crisis posts prepared as holding statements in the caller's clinics,
    each with its readiness (approved and unscheduled, channels connected, no blocking finding,
    a crisis active for its clinic) and, once published, its publications."""
    items, cursor = await holding_service.search(session, subject, page, clinic)
    return HoldingStatementPage(items=items, next_cursor=cursor)


@router.post(
    "/holding-statements/publish",
    response_model=HoldingPublished,
    responses={404: NotFound.doc(), 409: Conflict.doc()},
)
async def publish_holding_statements(
    body: HoldingPublish, subject: CrisisManage, session: DbSession
) -> HoldingPublished:
    """Publish the selected holding statements now, during an active crisis covering their
    clinics (comms lead, admin): they are scheduled at now and released from the crisis pause;
    every other publication in scope stays paused. All or nothing; poll the list for the
    per-channel results."""
    posts = await holding_service.publish(session, subject, body.post_ids)
    return HoldingPublished(items=await holding_service.describe(session, posts))


@router.put(
    "/holding-statements/{post_id}",
    response_model=HoldingStatementRead,
    responses={404: NotFound.doc(), 409: Conflict.doc()},
)
async def set_holding_statement(
    post_id: uuid.UUID, body: HoldingFlag, subject: PostsRead, session: DbSession
) -> HoldingStatementRead:
    """Add a crisis post to the dark-site set or take it out (editors, comms leads). Not a
    content change: the approval stays valid."""
    post = await holding_service.set_flag(session, subject, post_id, body.holding_statement)
    [read] = await holding_service.describe(session, [post])
    return read


@router.post(
    "/{crisis_id}/end",
    response_model=CrisisRead,
    responses={404: NotFound.doc(), 409: Conflict.doc()},
)
async def end_crisis(crisis_id: uuid.UUID, subject: CrisisManage, session: DbSession) -> CrisisRead:
    """End crisis mode. Nothing is resumed automatically: paused publications are reviewed."""
    return CrisisRead.model_validate(_crisis(await crisis_service.end(session, subject, crisis_id)))
