from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime

from app.auth.dependencies import PostsRead, PostsSchedule, PostsWrite
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination
from app.posts.models import PostStatus
from app.posts.schemas import (
    ConsentsSet,
    MediaSet,
    PostCreate,
    PostPage,
    PostRead,
    PostUpdate,
    PreviewRequest,
    PreviewResult,
    ScheduleRequest,
    VariantsSet,
)
from app.posts.service import post_service

ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: NotFound.doc(),
    409: Conflict.doc(),
    422: Unprocessable.doc(),
}
router = APIRouter(prefix="/posts", tags=["posts"], responses=ERRORS)


async def _one(session: DbSession, post: Any) -> PostRead:
    [read] = await post_service.describe(session, [post])
    return read


@router.get("", response_model=PostPage, responses={422: Unprocessable.doc()})
async def list_posts(
    subject: PostsRead,
    session: DbSession,
    page: Pagination,
    start: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="Scheduled at or after (with offset)."),
    ] = None,
    end: Annotated[
        AwareDatetime | None, Query(alias="to", description="Scheduled before (with offset).")
    ] = None,
    clinic: uuid.UUID | None = None,
    channel: uuid.UUID | None = None,
    status: Annotated[list[PostStatus] | None, Query(description="One or more states.")] = None,
) -> PostPage:
    """The calendar: posts of the caller's clinics, by scheduled time (unscheduled last), then
    id. `from`/`to` select a month or week; requires `posts.read`."""
    rows, cursor = await post_service.search(
        session, subject, page, start=start, end=end, clinic_id=clinic, channel_id=channel,
        statuses=status or [],
    )  # fmt: skip
    return PostPage(items=await post_service.describe(session, rows), next_cursor=cursor)


@router.post(
    "/preview-validation", response_model=PreviewResult, responses={422: Unprocessable.doc()}
)
async def preview_validation(
    body: PreviewRequest, subject: PostsRead, session: DbSession
) -> PreviewResult:
    """The composer's live counters: length in each platform's own unit (Bluesky graphemes,
    Mastodon with every URL as 23) and the issues per channel. Writes nothing."""
    return await post_service.preview(session, subject, body)


@router.post(
    "", response_model=PostRead, status_code=status.HTTP_201_CREATED, responses=WRITE_ERRORS
)
async def create_post(body: PostCreate, subject: PostsWrite, session: DbSession) -> PostRead:
    """A new draft for one clinic, optionally with its target channels."""
    return await _one(session, await post_service.create(session, subject, body))


@router.get("/{post_id}", response_model=PostRead, responses={404: NotFound.doc()})
async def get_post(post_id: uuid.UUID, subject: PostsRead, session: DbSession) -> PostRead:
    return await _one(session, await post_service.get(session, subject, post_id))


@router.patch("/{post_id}", response_model=PostRead, responses=WRITE_ERRORS)
async def update_post(
    post_id: uuid.UUID, body: PostUpdate, subject: PostsWrite, session: DbSession
) -> PostRead:
    """Change fields; a content change of an approved or scheduled post sends it back to
    review (its publications are withdrawn)."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    return await _one(session, await post_service.update(session, subject, post, body))


@router.put("/{post_id}/variants", response_model=PostRead, responses=WRITE_ERRORS)
async def set_variants(
    post_id: uuid.UUID, body: VariantsSet, subject: PostsWrite, session: DbSession
) -> PostRead:
    """Replace the target channels and their texts. Channels must be connected and belong to
    the post's clinic or to the organization."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    return await _one(
        session, await post_service.set_variants(session, subject, post, body.variants)
    )


@router.put("/{post_id}/media", response_model=PostRead, responses=WRITE_ERRORS)
async def set_media(
    post_id: uuid.UUID, body: MediaSet, subject: PostsWrite, session: DbSession
) -> PostRead:
    """Replace the attached images, in order, each with its alt text (up to 1500 characters;
    required to submit). Images must have been uploaded for the post's clinic
    (`POST /media`). A change of an approved or scheduled post sends it back to review."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    return await _one(session, await post_service.set_media(session, subject, post, body.media))


@router.put("/{post_id}/consents", response_model=PostRead, responses=WRITE_ERRORS)
async def set_consents(
    post_id: uuid.UUID, body: ConsentsSet, subject: PostsWrite, session: DbSession
) -> PostRead:
    """Link the consent records the post relies on (same clinic; withdrawn or expired ones
    cannot be newly linked). Part of the approved content: a change of an approved or
    scheduled post sends it back to review. Withdrawal or expiry of a linked consent takes
    the post down."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    return await _one(
        session, await post_service.set_consents(session, subject, post, body.consent_ids)
    )


@router.post("/{post_id}/submit", response_model=PostRead, responses=WRITE_ERRORS)
async def submit_post(post_id: uuid.UUID, subject: PostsWrite, session: DbSession) -> PostRead:
    """Check every target channel with its platform's rules; any blocking issue answers 422
    listing channel, field and message. Otherwise the post is in review: an approval request
    for this content version walks the steps of the category's policy
    (`GET /posts/{id}/review`)."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    return await _one(session, await post_service.submit(session, subject, post))


@router.post("/{post_id}/schedule", response_model=PostRead, responses=WRITE_ERRORS)
async def schedule_post(
    post_id: uuid.UUID, body: ScheduleRequest, subject: PostsSchedule, session: DbSession
) -> PostRead:
    """Schedule an approved post in its clinic's time zone (DST-correct: a local time that
    does not exist answers 422 with the nearest valid times; one that exists twice needs
    `fold`). Plans one publication per target channel."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    return await _one(session, await post_service.schedule(session, subject, post, body))


@router.post("/{post_id}/cancel", response_model=PostRead, responses=WRITE_ERRORS)
async def cancel_post(post_id: uuid.UUID, subject: PostsWrite, session: DbSession) -> PostRead:
    """Cancel the post; publications that have not reached a platform are withdrawn."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    return await _one(session, await post_service.cancel(session, subject, post))


@router.post(
    "/{post_id}/duplicate",
    response_model=PostRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
)
async def duplicate_post(post_id: uuid.UUID, subject: PostsWrite, session: DbSession) -> PostRead:
    """A new draft with the same content and channels."""
    post = await post_service.get(session, subject, post_id)
    return await _one(session, await post_service.duplicate(session, subject, post))
