from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from app.connectors.base import Platform
from app.consent.models import ConsentState, LegalBasis, SubjectKind, TakedownStatus
from app.kit.schemas import InputSchema, PatchSchema, Schema, TimestampedSchema
from app.posts.models import PostCategory, PostStatus
from app.publishing.models import PublicationStatus

Label = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    Field(description="Pseudonymous label (e.g. „Patientin K., Kardiologie 2026“), no full name."),
]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ChannelIds = Annotated[list[uuid.UUID], Field(max_length=50)]
Categories = Annotated[list[PostCategory], Field(max_length=len(PostCategory))]
MediaIds = Annotated[list[uuid.UUID], Field(max_length=50)]


def validity_errors(
    *,
    valid_from: datetime,
    valid_until: datetime | None,
    legal_basis: LegalBasis,
    subject_kind: SubjectKind,
    document_reference: str | None,
) -> list[tuple[str, str, str]]:
    """FEAT-4 rules as ``(field, German message, type)``: the period ends after it starts, a
    HIPAA authorization has an end, an employee's consent names its written document (BAG)."""
    errors = []
    if valid_until is not None and valid_until <= valid_from:
        errors.append(("valid_until", "Das Ende muss nach dem Beginn liegen.", "before_start"))
    if legal_basis is LegalBasis.hipaa_164_508 and valid_until is None:
        errors.append(
            ("valid_until", "Eine HIPAA-Autorisierung braucht ein Ablaufdatum.", "missing")
        )
    if subject_kind is SubjectKind.employee and not document_reference:
        errors.append(
            (
                "document_reference",
                "Für Beschäftigte ist eine schriftliche Einwilligung nötig (Aktenzeichen angeben).",
                "missing",
            )
        )
    return errors


class ConsentCreate(InputSchema):
    clinic_id: uuid.UUID
    subject_label: Label
    subject_kind: SubjectKind
    legal_basis: LegalBasis
    channel_ids: ChannelIds = Field(description="Channels the consent covers.")
    categories: Categories = Field(description="Content categories (purposes) it covers.")
    media_ids: MediaIds = Field(default_factory=list, description="Images it covers.")
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None
    document_reference: Reference | None = Field(
        default=None, description="Where the signed original is filed; required for employees."
    )
    signer: Reference | None = Field(default=None, description="Who signed (e.g. guardian).")

    @model_validator(mode="after")
    def _rules(self) -> ConsentCreate:
        errors = validity_errors(
            valid_from=self.valid_from, valid_until=self.valid_until,
            legal_basis=self.legal_basis, subject_kind=self.subject_kind,
            document_reference=self.document_reference,
        )  # fmt: skip
        if errors:
            raise ValueError("; ".join(f"{field}: {message}" for field, message, _ in errors))
        return self


class ConsentUpdate(PatchSchema):
    nullable_fields: ClassVar[frozenset[str]] = frozenset(
        {"valid_until", "document_reference", "signer"}
    )

    subject_label: Label | None = None
    subject_kind: SubjectKind | None = None
    legal_basis: LegalBasis | None = None
    channel_ids: ChannelIds | None = None
    categories: Categories | None = None
    media_ids: MediaIds | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    document_reference: Reference | None = None
    signer: Reference | None = None


class WithdrawRequest(InputSchema):
    reason: Reason = Field(description="Why (kept for the record, shown to privacy officers).")


class DocumentInfo(Schema):
    filename: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime


class ConsentSummary(Schema):
    """What editors see to link a consent to a post: no legal details, document or signer."""

    id: uuid.UUID
    clinic_id: uuid.UUID
    subject_label: str
    subject_kind: SubjectKind
    channel_ids: list[uuid.UUID]
    categories: list[PostCategory]
    media_ids: list[uuid.UUID]
    valid_from: datetime
    valid_until: datetime | None
    status: ConsentState


class ConsentSummaryPage(Schema):
    items: list[ConsentSummary]
    next_cursor: str | None


class ConsentRead(TimestampedSchema):
    updated_at: datetime
    organization_id: uuid.UUID
    clinic_id: uuid.UUID
    subject_label: str
    subject_kind: SubjectKind
    legal_basis: LegalBasis
    channel_ids: list[uuid.UUID]
    categories: list[PostCategory]
    media_ids: list[uuid.UUID]
    valid_from: datetime
    valid_until: datetime | None
    document_reference: str | None
    signer: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    ended_at: datetime | None = Field(description="When withdrawal or expiry began the takedown.")
    expiry_warned_at: datetime | None
    status: ConsentState
    document: DocumentInfo | None
    post_count: int = Field(description="Posts linked to it.")


class ConsentPage(Schema):
    items: list[ConsentRead]
    next_cursor: str | None


class TakedownRead(Schema):
    """One publication of a linked post and where its takedown stands (null: none needed)."""

    publication_id: uuid.UUID
    channel_id: uuid.UUID
    channel_name: str
    platform: Platform
    publication_status: PublicationStatus
    platform_url: str | None
    takedown_status: TakedownStatus | None
    attempts: int
    last_error: str | None
    finished_at: datetime | None


class LinkedPost(Schema):
    post_id: uuid.UUID
    title: str
    status: PostStatus
    created_by_id: uuid.UUID
    publications: list[TakedownRead]


class ConsentDetail(ConsentRead):
    posts: list[LinkedPost]
