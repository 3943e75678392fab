from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from app.auth.dependencies import (
    InboxRead,
    InboxWork,
    PoliciesManage,
    SavedRepliesManage,
    SavedRepliesUse,
)
from app.auth.permissions import Permission
from app.inbox.models import Priority, ThreadStatus, TriageCategory
from app.inbox.schemas import (
    AssignRequest,
    EscalateRequest,
    NoteCreate,
    NoteRead,
    RenderedReply,
    RenderRequest,
    SavedReplyCreate,
    SavedReplyPage,
    SavedReplyRead,
    SavedReplyUpdate,
    SlaPolicyRead,
    SlaPolicyWrite,
    StatusRequest,
    TagRequest,
    ThreadDetail,
    ThreadPage,
    ThreadRead,
)
from app.inbox.service import (
    ThreadFilters,
    inbox_service,
    saved_reply_service,
    sla_policy_service,
)
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination

ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {404: NotFound.doc(), 422: Unprocessable.doc()}
router = APIRouter(prefix="/inbox", tags=["inbox"], responses=ERRORS)
TagPath = Annotated[str, Path(min_length=1, max_length=50, pattern=r"^[\w-]+$")]


async def _read(session: DbSession, thread: Any) -> ThreadRead:
    [read] = await inbox_service.describe(session, [thread])
    return read


@router.get("/threads", response_model=ThreadPage)
async def list_threads(
    subject: InboxRead,
    session: DbSession,
    page: Pagination,
    clinic: uuid.UUID | None = None,
    channel: uuid.UUID | None = None,
    status: Annotated[list[ThreadStatus] | None, Query()] = None,
    assignee: uuid.UUID | None = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    category: Annotated[list[TriageCategory] | None, Query()] = None,
    tag: Annotated[str | None, Query(max_length=50, pattern=r"^[\w-]+$")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Text search.")
    ] = None,
) -> ThreadPage:
    """Threads of the caller's clinics (`inbox.read`), most urgent first: emergencies, then by
    priority, then by first-response due time. `counts` gives the threads per status under the
    same filters (without the status filter) for badges."""
    filters = ThreadFilters(
        clinic_id=clinic, channel_id=channel, statuses=status or [], assignee_id=assignee,
        priorities=priority or [], categories=category or [], tag=tag, q=q,
    )  # fmt: skip
    rows, cursor = await inbox_service.search(session, subject, page, filters)
    return ThreadPage(
        items=await inbox_service.describe(session, rows),
        next_cursor=cursor,
        counts=await inbox_service.counts(session, subject, filters),
    )


@router.get("/threads/{thread_id}", response_model=ThreadDetail, responses={404: NotFound.doc()})
async def get_thread(thread_id: uuid.UUID, subject: InboxRead, session: DbSession) -> ThreadDetail:
    """The thread with its messages, internal notes, the post it belongs to and earlier
    threads of the same author (in the caller's clinics)."""
    thread = await inbox_service.get(session, subject, thread_id)
    return await inbox_service.detail(session, subject, thread)


@router.post("/threads/{thread_id}/assign", response_model=ThreadRead, responses=WRITE_ERRORS)
async def assign_thread(
    thread_id: uuid.UUID, body: AssignRequest, subject: InboxWork, session: DbSession
) -> ThreadRead:
    """Assign to a user who may work this clinic's inbox (`inbox.work`), or unassign (null)."""
    thread = await inbox_service.get(
        session, subject, thread_id, permission=Permission.inbox_work, lock=True
    )
    return await _read(
        session, await inbox_service.assign(session, subject, thread, body.assignee_id)
    )


@router.post("/threads/{thread_id}/status", response_model=ThreadRead, responses=WRITE_ERRORS)
async def set_thread_status(
    thread_id: uuid.UUID, body: StatusRequest, subject: InboxWork, session: DbSession
) -> ThreadRead:
    """Set `open`, `pending`, `resolved` or `spam`."""
    thread = await inbox_service.get(
        session, subject, thread_id, permission=Permission.inbox_work, lock=True
    )
    return await _read(
        session, await inbox_service.set_status(session, subject, thread, body.status)
    )


@router.post(
    "/threads/{thread_id}/tags",
    response_model=ThreadRead,
    responses={**WRITE_ERRORS, 409: Conflict.doc()},
)
async def tag_thread(
    thread_id: uuid.UUID, body: TagRequest, subject: InboxWork, session: DbSession
) -> ThreadRead:
    """Add a tag (idempotent)."""
    thread = await inbox_service.get(
        session, subject, thread_id, permission=Permission.inbox_work, lock=True
    )
    return await _read(session, await inbox_service.tag(session, subject, thread, body.tag))


@router.delete("/threads/{thread_id}/tags/{tag}", response_model=ThreadRead, responses=WRITE_ERRORS)
async def untag_thread(
    thread_id: uuid.UUID, tag: TagPath, subject: InboxWork, session: DbSession
) -> ThreadRead:
    """Remove a tag (404 when the thread does not carry it)."""
    thread = await inbox_service.get(
        session, subject, thread_id, permission=Permission.inbox_work, lock=True
    )
    return await _read(session, await inbox_service.untag(session, subject, thread, tag))


@router.post(
    "/threads/{thread_id}/notes",
    response_model=NoteRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
)
async def add_note(
    thread_id: uuid.UUID, body: NoteCreate, subject: InboxWork, session: DbSession
) -> Any:
    """An internal note: visible to the team only, never sent to the platform."""
    thread = await inbox_service.get(session, subject, thread_id, permission=Permission.inbox_work)
    return await inbox_service.add_note(session, subject, thread, body.text)


@router.post("/threads/{thread_id}/escalate", response_model=ThreadRead, responses=WRITE_ERRORS)
async def escalate_thread(
    thread_id: uuid.UUID, body: EscalateRequest, subject: InboxWork, session: DbSession
) -> ThreadRead:
    """Escalate to a role that can read the inbox (admin, privacy officer, comms lead,
    moderator): everyone holding it for the thread's clinic gets an in-app notification; the
    reason is kept as an internal note. 422 when nobody holds the role there."""
    thread = await inbox_service.get(
        session, subject, thread_id, permission=Permission.inbox_work, lock=True
    )
    return await _read(session, await inbox_service.escalate(session, subject, thread, body))


# Saved replies ---------------------------------------------------------------------------
@router.get("/saved-replies", response_model=SavedReplyPage)
async def list_saved_replies(
    subject: SavedRepliesUse,
    session: DbSession,
    page: Pagination,
    language: Annotated[str | None, Query(pattern=r"^(de|en)$")] = None,
    category: TriageCategory | None = None,
    clinic: uuid.UUID | None = None,
) -> SavedReplyPage:
    """Saved replies of the organization and the caller's clinics, by title
    (`saved_replies.use`: editors, moderators, comms leads, admins)."""
    rows, cursor = await saved_reply_service.search(
        session, subject, page, language=language, category=category, clinic_id=clinic
    )
    return SavedReplyPage(
        items=[SavedReplyRead.model_validate(r) for r in rows], next_cursor=cursor
    )


@router.post(
    "/saved-replies",
    response_model=SavedReplyRead,
    status_code=status.HTTP_201_CREATED,
    responses={422: Unprocessable.doc()},
)
async def create_saved_reply(
    body: SavedReplyCreate, subject: SavedRepliesManage, session: DbSession
) -> Any:
    """Create a saved reply (`saved_replies.manage`: comms leads and admins). Variables:
    `{vorname}`, `{nachname}`, `{name}`, `{handle}`, `{klinik}`, `{telefon}`; organization-wide
    replies (no clinic) need the permission at organization level."""
    return await saved_reply_service.create(session, subject, body)


@router.get(
    "/saved-replies/{reply_id}", response_model=SavedReplyRead, responses={404: NotFound.doc()}
)
async def get_saved_reply(reply_id: uuid.UUID, subject: SavedRepliesUse, session: DbSession) -> Any:
    return await saved_reply_service.get(session, subject, reply_id)


@router.patch("/saved-replies/{reply_id}", response_model=SavedReplyRead, responses=WRITE_ERRORS)
async def update_saved_reply(
    reply_id: uuid.UUID, body: SavedReplyUpdate, subject: SavedRepliesManage, session: DbSession
) -> Any:
    reply = await saved_reply_service.get_managed(session, subject, reply_id)
    return await saved_reply_service.update(session, subject, reply, body)


@router.delete(
    "/saved-replies/{reply_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: NotFound.doc()},
)
async def delete_saved_reply(
    reply_id: uuid.UUID, subject: SavedRepliesManage, session: DbSession
) -> None:
    reply = await saved_reply_service.get_managed(session, subject, reply_id)
    await saved_reply_service.delete(session, subject, reply)


@router.post(
    "/saved-replies/{reply_id}/render", response_model=RenderedReply, responses=WRITE_ERRORS
)
async def render_saved_reply(
    reply_id: uuid.UUID, body: RenderRequest, subject: SavedRepliesUse, session: DbSession
) -> RenderedReply:
    """The reply with its variables filled in — from the thread's author and clinic if
    `thread_id` is given (which must be in the caller's inbox), then from `variables` — and
    its usage count raised by one. Variables without a value stay and are listed in
    `missing`."""
    reply = await saved_reply_service.get(session, subject, reply_id)
    return await saved_reply_service.render(session, subject, reply, body)


# SLA policies -----------------------------------------------------------------------------
@router.get(
    "/sla-policies/{clinic_id}", response_model=SlaPolicyRead, responses={404: NotFound.doc()}
)
async def get_sla_policy(
    clinic_id: uuid.UUID, subject: InboxRead, session: DbSession
) -> SlaPolicyRead:
    """The clinic's first-response targets (minutes per priority, office vs on-call hours) and
    office hours in its time zone; the defaults when none is stored."""
    return await sla_policy_service.get(session, subject, clinic_id)


@router.put(
    "/sla-policies/{clinic_id}",
    response_model=SlaPolicyRead,
    responses={**WRITE_ERRORS, 409: Conflict.doc()},
)
async def put_sla_policy(
    clinic_id: uuid.UUID, body: SlaPolicyWrite, subject: PoliciesManage, session: DbSession
) -> SlaPolicyRead:
    """Set the clinic's SLA policy (`policies.manage`: admins). It applies to messages that
    arrive from now on; due times already set stay."""
    return await sla_policy_service.put(session, subject, clinic_id, body)
