from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from app.connectors.base import Platform
from app.kit.schemas import InputSchema, PatchSchema, Schema, TimestampedSchema
from app.posts.models import PostCategory, PostStatus

Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Campaign = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
Text = Annotated[str, StringConstraints(max_length=10000)]
Link = Annotated[str, StringConstraints(max_length=1500, pattern=r"^https?://[^\s]+$")]
UtmValue = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Utm(InputSchema):
    """UTM parameters appended to the post's link (existing query parameters are kept)."""

    utm_source: UtmValue | None = None
    utm_medium: UtmValue | None = None
    utm_campaign: UtmValue | None = None
    utm_term: UtmValue | None = None
    utm_content: UtmValue | None = None


class VariantInput(InputSchema):
    channel_id: uuid.UUID
    text_override: Text | None = Field(
        default=None, description="The text on this channel; the base text when null."
    )
    options: dict[str, Any] = Field(default_factory=dict, description="Platform options.")


class VariantsSet(InputSchema):
    """The post's target channels, each with an optional own text: replaces the whole set."""

    variants: list[VariantInput] = Field(max_length=20)


AltText = Annotated[str, StringConstraints(max_length=1500)]


class PostMediaInput(InputSchema):
    media_id: uuid.UUID
    alt_text: AltText = Field(
        default="", description="Required before submitting (screen readers, a11y)."
    )


class MediaSet(InputSchema):
    """The post's images in order, each with its alt text: replaces the whole set."""

    media: list[PostMediaInput] = Field(max_length=10)


class PostCreate(InputSchema):
    clinic_id: uuid.UUID
    title: Title
    category: PostCategory
    campaign: Campaign | None = None
    language: Language = "de"
    base_text: Text = ""
    link_url: Link | None = None
    utm: Utm = Field(default_factory=Utm)
    shows_patient: bool = False
    holding_statement: bool = Field(
        default=False,
        description="Keep as a holding statement of the dark-site set (category crisis only).",
    )
    variants: list[VariantInput] = Field(default_factory=list, max_length=20)


class PostUpdate(PatchSchema):
    nullable_fields = frozenset({"campaign", "link_url"})

    title: Title | None = None
    category: PostCategory | None = None
    campaign: Campaign | None = None
    language: Language | None = None
    base_text: Text | None = None
    link_url: Link | None = None
    utm: Utm | None = None
    shows_patient: bool | None = None
    holding_statement: bool | None = Field(
        default=None, description="Dark-site holding statement (category crisis only)."
    )


class ScheduleRequest(InputSchema):
    """Either ``scheduled_local`` (wall-clock time in the clinic's time zone) or
    ``scheduled_at`` (an instant with an explicit offset). On the autumn DST switch a local
    time exists twice: name ``fold`` 0 (first, summer time) or 1 (second, standard time)."""

    scheduled_local: datetime | None = Field(
        default=None, description="e.g. `2026-03-29T09:30`, without offset."
    )
    scheduled_at: AwareDatetime | None = Field(
        default=None, description="An instant with offset, e.g. `2026-03-29T09:30:00+02:00`."
    )
    fold: Literal[0, 1] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ScheduleRequest:
        if (self.scheduled_local is None) == (self.scheduled_at is None):
            raise ValueError("give exactly one of scheduled_local and scheduled_at")
        if self.scheduled_local is not None and self.scheduled_local.tzinfo is not None:
            raise ValueError("scheduled_local has no offset; use scheduled_at for an instant")
        return self


class PreviewRequest(InputSchema):
    """Live counters of the composer: the texts and channels as they stand, nothing saved."""

    base_text: Text = ""
    link_url: Link | None = None
    utm: Utm = Field(default_factory=Utm)
    language: Language | None = None
    channel_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    platforms: list[Platform] = Field(
        default_factory=list, max_length=10, description="Platforms to check without a channel."
    )
    overrides: dict[uuid.UUID, Text] = Field(
        default_factory=dict, description="Per-channel texts by channel id."
    )


class IssueRead(Schema):
    field: str
    code: str
    message: str
    blocking: bool


class TargetCheck(Schema):
    channel_id: uuid.UUID | None
    platform: Platform
    length: int
    limit: int | None
    unit: str
    issues: list[IssueRead]


class PreviewResult(Schema):
    link: str | None
    targets: list[TargetCheck]


class VariantRead(Schema):
    channel_id: uuid.UUID
    platform: Platform
    channel_name: str
    text_override: str | None
    options: dict[str, Any]


class PostMediaRead(Schema):
    media_id: uuid.UUID
    position: int
    alt_text: str
    filename: str
    content_type: str
    size_bytes: int
    width: int | None
    height: int | None
    content_url: str


class PostRead(TimestampedSchema):
    updated_at: datetime
    organization_id: uuid.UUID
    clinic_id: uuid.UUID
    title: str
    category: PostCategory
    campaign: str | None
    language: str
    base_text: str
    link_url: str | None
    utm: dict[str, str]
    tagged_link: str | None = Field(description="The link with its UTM parameters.")
    status: PostStatus
    shows_patient: bool
    holding_statement: bool = Field(description="Part of the dark-site set for crises.")
    content_version: int
    scheduled_at: datetime | None
    scheduled_local: datetime | None = Field(description="scheduled_at in the clinic's zone.")
    timezone: str
    created_by_id: uuid.UUID
    approved_by_id: uuid.UUID | None
    approved_at: datetime | None
    approval_current: bool = Field(description="Approved and unchanged since the approval.")
    variants: list[VariantRead]
    media: list[PostMediaRead] = Field(description="Attached images in order.")
    consent_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Consent records the post relies on."
    )


class PostPage(Schema):
    items: list[PostRead]
    next_cursor: str | None


class ConsentsSet(InputSchema):
    consent_ids: list[uuid.UUID] = Field(
        max_length=20, description="The consents the post relies on (replaces the current set)."
    )
