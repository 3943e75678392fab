from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from app.auth.dependencies import PostsRead, PostsSchedule
from app.channels.models import Channel
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination
from app.publishing.models import Publication
from app.publishing.schemas import (
    PublicationPage,
    PublicationRead,
    PublicationResume,
    PublicationRetry,
)
from app.publishing.service import publication_service

ERRORS: dict[int | str, dict[str, Any]] = {
    401: Unauthorized.doc(),
    403: Forbidden.doc(),
    404: NotFound.doc(),
    422: Unprocessable.doc(),
}
router = APIRouter(tags=["publications"], responses=ERRORS)


def publication_read(publication: Publication, channel: Channel) -> PublicationRead:
    return PublicationRead.model_validate(
        {
            **publication.model_dump(),
            "channel_name": channel.display_name,
            "platform": channel.platform,
            "error": publication.last_error,
        }
    )


@router.get("/posts/{post_id}/publications", response_model=PublicationPage)
async def list_post_publications(
    post_id: uuid.UUID, subject: PostsRead, session: DbSession, page: Pagination
) -> PublicationPage:
    """Where the post goes out: one publication per channel with its state, the error in
    plain German and the link to the published post."""
    rows, cursor = await publication_service.list_for_post(session, subject, post_id, page)
    return PublicationPage(items=[publication_read(p, c) for p, c in rows], next_cursor=cursor)


@router.post(
    "/publications/{publication_id}/retry",
    response_model=PublicationRead,
    responses={409: Conflict.doc()},
)
async def retry_publication(
    publication_id: uuid.UUID, body: PublicationRetry, subject: PostsSchedule, session: DbSession
) -> PublicationRead:
    """Publish a failed or unconfirmed publication again, after a person checked the channel
    (for an unconfirmed one: the post is not there)."""
    publication = await publication_service.retry(session, subject, publication_id, body)
    return publication_read(publication, await publication_service.channel_of(session, publication))


@router.post(
    "/publications/{publication_id}/resume",
    response_model=PublicationRead,
    responses={409: Conflict.doc()},
)
async def resume_publication(
    publication_id: uuid.UUID, body: PublicationResume, subject: PostsSchedule, session: DbSession
) -> PublicationRead:
    """Put a paused publication (crisis, lost channel connection) back on the schedule at a new
    time in the future, preferably as `at_local` in the clinic's time zone (DST-correct: a
    local time that does not exist answers 422 with the nearest valid times; one that exists
    twice needs `fold`); refused while a crisis covers its clinic."""
    publication = await publication_service.resume(session, subject, publication_id, body)
    return publication_read(publication, await publication_service.channel_of(session, publication))
