from __future__ import annotations

import uuid
from datetime import datetime

from app.kit.schemas import Schema, TimestampedSchema
from app.notifications.models import NotificationKind


class NotificationRead(TimestampedSchema):
    clinic_id: uuid.UUID | None
    kind: NotificationKind
    title_de: str
    body_de: str
    link: str
    target_type: str | None
    target_id: uuid.UUID | None
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationRead]
    next_cursor: str | None
    unread_count: int


class UnreadCount(Schema):
    unread_count: int
