from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from app.kit.models import JSONType, RecordModel, enum_column, utc_column

UNSCHEDULED = datetime(9999, 12, 31, tzinfo=UTC)
"""Calendar sort key of posts without a time: after every scheduled one."""


class PostStatus(StrEnum):
    """design.md: draft → in_review → approved → scheduled → published, plus changes_requested,
    rejected, cancelled, failed, paused (crisis) and taken_down (deleted on every platform
    because a consent it relies on was withdrawn or expired)."""

    draft = "draft"
    in_review = "in_review"
    changes_requested = "changes_requested"
    approved = "approved"
    scheduled = "scheduled"
    published = "published"
    rejected = "rejected"
    cancelled = "cancelled"
    failed = "failed"
    paused = "paused"
    taken_down = "taken_down"


class PostCategory(StrEnum):
    """The content mix a post belongs to; approval policies and KPIs group by it."""

    health_tip = "health_tip"
    behind_the_scenes = "behind_the_scenes"
    patient_story = "patient_story"
    aesthetic = "aesthetic"
    jobs = "jobs"
    event = "event"
    press = "press"
    crisis = "crisis"
    other = "other"


class Post(RecordModel, table=True):
    """One message written once, published to several channels of its clinic.

    ``content_hash`` fingerprints everything reviewers approve (texts, media and alt texts, link);
    an approval binds to it, so an edit after approval sends the post back to review.
    """

    __tablename__ = "posts"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID = Field(foreign_key="clinics.id", index=True)
    title: str = Field(max_length=200)
    category: PostCategory = enum_column(PostCategory)
    campaign: str | None = Field(default=None, max_length=100)
    language: str = Field(default="de", max_length=5)
    base_text: str = Field(default="", max_length=10000)
    link_url: str | None = Field(default=None, max_length=2000)
    utm: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    scheduled_at: datetime | None = utc_column(default=None, index=True)
    status: PostStatus = enum_column(PostStatus, default=PostStatus.draft)
    shows_patient: bool = False
    content_version: int = 1
    content_hash: str = Field(default="", max_length=64)
    created_by_id: uuid.UUID = Field(foreign_key="users.id")
    approved_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    approved_at: datetime | None = utc_column(default=None)
    approved_hash: str | None = Field(default=None, max_length=64)
    holding_statement: bool = False
    """Part of the dark-site set: a crisis post kept approved and unscheduled, published by a
    comms lead during a crisis (``app.crisis.holding``). Not content: no re-review."""

    @property
    def calendar_at(self) -> datetime:
        """The calendar's keyset sort key (``scheduled_at``, unscheduled posts last)."""
        return self.scheduled_at or UNSCHEDULED


class PostVariant(RecordModel, table=True):
    """The post on one channel: an optional text of its own and platform options."""

    __tablename__ = "post_variants"
    __table_args__ = (UniqueConstraint("post_id", "channel_id"),)

    post_id: uuid.UUID = Field(foreign_key="posts.id", index=True)
    channel_id: uuid.UUID = Field(foreign_key="channels.id", index=True)
    text_override: str | None = Field(default=None, max_length=10000)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class MediaAsset(RecordModel, table=True):
    """An uploaded image or video, checked on its content (not its name), stored outside any
    served path and re-encoded without metadata (EXIF/GPS)."""

    __tablename__ = "media_assets"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID = Field(foreign_key="clinics.id", index=True)
    uploaded_by_id: uuid.UUID = Field(foreign_key="users.id")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size_bytes: int
    width: int | None = None
    height: int | None = None
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=300)


class PostMedia(RecordModel, table=True):
    """A media asset attached to a post, in order, with its alt text (required to submit)."""

    __tablename__ = "post_media"
    __table_args__ = (UniqueConstraint("post_id", "position"),)

    post_id: uuid.UUID = Field(foreign_key="posts.id", index=True)
    media_id: uuid.UUID = Field(foreign_key="media_assets.id")
    position: int
    alt_text: str = Field(default="", max_length=1500)
