from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from app.kit.schemas import InputSchema, Schema
from app.posts.models import PostCategory

Severity = Literal["block", "warn"]
TargetKind = Literal["base", "channel", "media", "post"]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
Text = Annotated[str, StringConstraints(max_length=10000)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50)]
AltText = Annotated[str, StringConstraints(max_length=1500)]
Reason = Annotated[str, StringConstraints(min_length=10, max_length=2000)]
Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class MediaCheck(InputSchema):
    alt_text: AltText | None = None
    kind: Literal["image", "gif", "video"] = "image"
    tags: list[Tag] = Field(
        default_factory=list,
        max_length=20,
        description="`patient` marks an image that shows a patient (consent needed).",
    )


class CheckRequest(InputSchema):
    """A text to check without saving anything (composer while typing, inbox replies, other
    systems). ``channels`` adds the platform rules of those channels."""

    # Offsets refer to the text as sent: no stripping.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    text: Text
    kind: Literal["post", "reply"] = "post"
    language: Language | None = None
    channels: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    category: PostCategory | None = None
    shows_patient: bool = False
    scheduled_at: AwareDatetime | None = Field(
        default=None, description="When it goes out (consent validity); now when absent."
    )
    media: list[MediaCheck] = Field(default_factory=list, max_length=10)
    consent_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class CheckFinding(Schema):
    rule: str
    severity: Severity
    message: str
    start: int | None = Field(default=None, description="Offset into `text`; absent: whole post.")
    end: int | None = Field(default=None, description="Exclusive end offset into `text`.")
    channel_id: uuid.UUID | None = Field(default=None, description="Platform/consent findings.")
    media_index: int | None = Field(default=None, description="Index into `media`.")


class CheckResult(Schema):
    findings: list[CheckFinding]
    ruleset_version: str


class OverrideInfo(Schema):
    id: uuid.UUID
    by_id: uuid.UUID
    by_name: str
    reason: str
    at: datetime


class PostFinding(Schema):
    """A finding of a stored post. ``target`` says which text it is about: the base text
    (``base``, also for channels without their own text), a channel's own text (``channel``),
    an image (``media``) or the post as a whole (``post``)."""

    rule: str
    severity: Severity
    message: str
    start: int | None
    end: int | None
    target: TargetKind
    channel_id: uuid.UUID | None
    media_id: uuid.UUID | None
    fingerprint: str = Field(description="Identifies the finding for an override.")
    overridable: bool
    overridden: OverrideInfo | None


class PostCompliance(Schema):
    post_id: uuid.UUID
    ruleset_version: str
    blocking: int = Field(description="Block findings not overridden: submit is refused while > 0.")
    findings: list[PostFinding]


class OverrideCreate(InputSchema):
    fingerprint: Fingerprint
    reason: Reason = Field(description="Why the finding may pass (at least 10 characters).")


class OverrideRead(Schema):
    id: uuid.UUID
    post_id: uuid.UUID
    rule: str
    fingerprint: str
    reason: str
    created_at: datetime
    created_by_id: uuid.UUID
    revoked_at: datetime | None


class RuleRead(Schema):
    rule: str
    severity: Severity | None = Field(description="null: set per finding by the text engine.")
    overridable: bool
    family: bool = Field(description="A prefix (`pii.*`) standing for the engine's rules.")
    description_de: str
    description_en: str


class RuleList(Schema):
    ruleset_version: str
    items: list[RuleRead]
