"""Approval policies (who must approve, per organization or clinic and post category) and the
approval requests that walk a post's content version through them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from app.auth.permissions import Permission
from app.kit.models import JSONType, RecordModel, enum_column, utc_column
from app.posts.models import PostCategory


class ReviewKind(StrEnum):
    """The review a step needs; each maps to a permission (``review.<kind>``)."""

    medical = "medical"
    privacy = "privacy"
    comms = "comms"

    @property
    def permission(self) -> Permission:
        return REVIEW_PERMISSIONS[self]


REVIEW_PERMISSIONS: dict[ReviewKind, Permission] = {
    ReviewKind.medical: Permission.review_medical,
    ReviewKind.privacy: Permission.review_privacy,
    ReviewKind.comms: Permission.review_comms,
}


class ApprovalPolicy(RecordModel, table=True):
    """Ordered review steps for one post category, for the whole organization (``clinic_id``
    null) or one clinic. Resolution: clinic policy, else organization policy, else the
    built-in default (compliance.md FEAT-5). ``steps``: ``[{"review", "required_approvals"}]``.
    """

    __tablename__ = "approval_policies"
    __table_args__ = (UniqueConstraint("organization_id", "scope_key", "category"),)

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID | None = Field(default=None, foreign_key="clinics.id", index=True)
    scope_key: str = Field(
        max_length=36, description="The clinic id, or 'organization' (NULL is never unique)."
    )
    category: PostCategory = enum_column(PostCategory)
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    updated_by_id: uuid.UUID = Field(foreign_key="users.id")


class RequestStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    changes_requested = "changes_requested"
    rejected = "rejected"
    superseded = "superseded"
    cancelled = "cancelled"


class ApprovalRequest(RecordModel, table=True):
    """One content version of a post under review: the steps (frozen from the policy when it
    was opened), a snapshot of what the reviewers see, and where the walk stands.
    A content change supersedes it and opens a new one."""

    __tablename__ = "approval_requests"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID = Field(foreign_key="clinics.id", index=True)
    post_id: uuid.UUID = Field(foreign_key="posts.id", index=True)
    content_version: int
    content_hash: str = Field(max_length=64)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    policy_source: str = Field(max_length=16, description="clinic | organization | default")
    status: RequestStatus = enum_column(RequestStatus, default=RequestStatus.pending, index=True)
    current_step: int = 0
    current_review: ReviewKind | None = enum_column(ReviewKind, default=None)
    step_started_at: datetime = utc_column(index=True)
    submitted_by_id: uuid.UUID = Field(foreign_key="users.id")
    completed_at: datetime | None = utc_column(default=None)


class DecisionKind(StrEnum):
    approve = "approve"
    request_changes = "request_changes"
    reject = "reject"


class ApprovalDecision(RecordModel, table=True):
    """One reviewer's decision on one step of a request; a person counts once per step."""

    __tablename__ = "approval_decisions"
    __table_args__ = (UniqueConstraint("request_id", "step", "reviewer_id"),)

    request_id: uuid.UUID = Field(foreign_key="approval_requests.id", index=True)
    post_id: uuid.UUID = Field(foreign_key="posts.id", index=True)
    step: int
    review: ReviewKind = enum_column(ReviewKind)
    decision: DecisionKind = enum_column(DecisionKind)
    comment: str | None = Field(default=None, max_length=2000)
    reviewer_id: uuid.UUID = Field(foreign_key="users.id")
