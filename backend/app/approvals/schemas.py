from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.approvals.models import DecisionKind, RequestStatus, ReviewKind
from app.connectors.base import Platform
from app.kit.pagination import CursorPage
from app.kit.schemas import InputSchema, PatchSchema, Schema, TimestampedSchema
from app.posts.models import PostCategory
from app.posts.schemas import PostRead

Comment = Annotated[str, StringConstraints(max_length=2000)]
PolicySource = Literal["clinic", "organization", "default"]


class StepInput(InputSchema):
    review: ReviewKind = Field(description="medical | privacy | comms (`review.<kind>`).")
    required_approvals: int = Field(default=1, ge=1, le=10, description="Distinct approvers.")


Steps = Annotated[list[StepInput], Field(min_length=1, max_length=10)]


class PolicyCreate(InputSchema):
    clinic_id: uuid.UUID | None = Field(
        default=None, description="The clinic; null for the whole organization."
    )
    category: PostCategory
    steps: Steps


class PolicyUpdate(PatchSchema):
    steps: Steps | None = None


class StepRead(Schema):
    review: ReviewKind
    required_approvals: int


class PolicyRead(TimestampedSchema):
    updated_at: datetime
    organization_id: uuid.UUID
    clinic_id: uuid.UUID | None
    category: PostCategory
    steps: list[StepRead]
    updated_by_id: uuid.UUID


PolicyPage = CursorPage[PolicyRead]


class EffectivePolicy(Schema):
    category: PostCategory
    steps: list[StepRead]
    source: PolicySource = Field(description="Where the steps come from.")
    policy_id: uuid.UUID | None = Field(description="The stored policy; null for the default.")


class EffectivePolicies(Schema):
    clinic_id: uuid.UUID | None
    items: list[EffectivePolicy]


class DecisionCreate(InputSchema):
    request_id: uuid.UUID = Field(
        description="The approval request (content version) the reviewer looked at; a newer "
        "version answers 409."
    )
    decision: DecisionKind
    comment: Comment | None = Field(
        default=None, description="Required to request changes or reject."
    )


class QueueItem(Schema):
    request_id: uuid.UUID
    post_id: uuid.UUID
    clinic_id: uuid.UUID
    clinic_name: str
    title: str
    category: PostCategory
    content_version: int
    step: int = Field(description="Index of the current step (0-based).")
    steps_total: int
    review: ReviewKind
    waiting_since: datetime = Field(description="When the post reached this step.")


class QueuePage(CursorPage[QueueItem]):
    total: int = Field(description="Everything waiting for the caller (for a badge).")


class ReviewText(Schema):
    key: str = Field(description="`base` or the channel id.")
    channel_id: uuid.UUID | None
    channel_name: str | None
    platform: Platform | None
    text: str = Field(description="The effective text on this channel.")


class DecisionRead(Schema):
    id: uuid.UUID
    step: int
    review: ReviewKind
    decision: DecisionKind
    comment: str | None
    reviewer_id: uuid.UUID
    reviewer_name: str
    decided_at: datetime


class StepState(Schema):
    index: int
    review: ReviewKind
    required_approvals: int
    approvals: int
    state: Literal["done", "current", "waiting", "stopped"]
    decisions: list[DecisionRead]


class Reviewer(Schema):
    id: uuid.UUID
    full_name: str


class RequestRead(Schema):
    id: uuid.UUID
    status: RequestStatus
    content_version: int
    policy_source: PolicySource
    current_step: int
    submitted_by_id: uuid.UUID
    created_at: datetime
    waiting_since: datetime | None = Field(description="When the current step began (pending).")
    completed_at: datetime | None
    steps: list[StepState]


class HistoryEntry(Schema):
    request_id: uuid.UUID
    content_version: int
    status: RequestStatus
    created_at: datetime
    decisions: list[DecisionRead]


class DiffSegment(Schema):
    op: Literal["equal", "insert", "delete"]
    text: str


class FieldDiff(Schema):
    field: str = Field(description="`title`, `base_text`, `link`, `category`, `variant:<id>`, …")
    label: str
    segments: list[DiffSegment]


class ReviewDiff(Schema):
    base_request_id: uuid.UUID | None
    base_version: int | None
    base_reason: Literal["approved", "your_approval"] | None = Field(
        description="The last fully approved version, or the last one you approved a step of."
    )
    fields: list[FieldDiff] = Field(description="Changed fields only; empty without a base.")


class ReviewRead(Schema):
    post: PostRead
    request: RequestRead | None = Field(description="The latest approval request, if any.")
    texts: list[ReviewText] = Field(description="Base text and every channel's text.")
    can_decide: bool
    cannot_decide_reason: Literal["not_in_review", "author", "role", "already_approved"] | None = (
        None
    )
    eligible_reviewers: list[Reviewer] = Field(description="Who may decide the current step.")
    diff: ReviewDiff
    history: list[HistoryEntry] = Field(description="Earlier requests, newest first.")
