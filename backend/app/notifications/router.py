from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.subject import CurrentUser
from app.kit.db import DbSession
from app.kit.errors import NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination
from app.notifications.schemas import NotificationPage, NotificationRead, UnreadCount
from app.notifications.service import notification_service

router = APIRouter(
    prefix="/notifications", tags=["notifications"], responses={401: Unauthorized.doc()}
)


@router.get("", response_model=NotificationPage, responses={422: Unprocessable.doc()})
async def list_notifications(
    subject: CurrentUser,
    session: DbSession,
    page: Pagination,
    unread: Annotated[bool | None, Query(description="Only unread (true) or read (false).")] = None,
) -> NotificationPage:
    """The signed-in user's own notifications, newest first, with the unread count."""
    rows, cursor = await notification_service.search(session, subject, page, unread=unread)
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in rows],
        next_cursor=cursor,
        unread_count=await notification_service.unread_count(session, subject),
    )


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(subject: CurrentUser, session: DbSession) -> UnreadCount:
    """How many of the signed-in user's notifications are unread (polled by the header bell)."""
    return UnreadCount(unread_count=await notification_service.unread_count(session, subject))


@router.post("/read-all", status_code=status.HTTP_204_NO_CONTENT)
async def mark_all_read(subject: CurrentUser, session: DbSession) -> Response:
    """Mark every unread notification of the signed-in user as read."""
    await notification_service.mark_all_read(session, subject)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{notification_id}/read",
    response_model=NotificationRead,
    responses={404: NotFound.doc(), 422: Unprocessable.doc()},
)
async def mark_read(
    notification_id: uuid.UUID, subject: CurrentUser, session: DbSession
) -> NotificationRead:
    """Mark one of one's own notifications as read (idempotent)."""
    notification = await notification_service.mark_read(session, subject, notification_id)
    return NotificationRead.model_validate(notification)
