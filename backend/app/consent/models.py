"""Consent records (FEAT-4), their links to posts, their encrypted documents (FEAT-16) and the
takedowns they trigger (REL-11)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, UniqueConstraint
from sqlmodel import Field

from app.kit.models import JSONType, RecordModel, enum_column, utc_column


class SubjectKind(StrEnum):
    """Who consented: the patient, a guardian for a minor, an employee (BAG: written consent
    required) or someone else (visitor, relative)."""

    patient = "patient"
    guardian_for_minor = "guardian_for_minor"
    employee = "employee"
    other = "other"


class LegalBasis(StrEnum):
    """DSGVO Art. 9(2)(a) explicit consent, KUG § 22 (own image), HIPAA 45 CFR 164.508
    authorization (needs an expiry date)."""

    dsgvo_art9_2a = "dsgvo_art9_2a"
    kug_22 = "kug_22"
    hipaa_164_508 = "hipaa_164_508"


class ConsentState(StrEnum):
    """Derived, never stored: ``upcoming`` before ``valid_from``; ``expiring`` within 14 days of
    ``valid_until``; ``expired`` after it; ``withdrawn`` once withdrawn (wins over all)."""

    upcoming = "upcoming"
    valid = "valid"
    expiring = "expiring"
    expired = "expired"
    withdrawn = "withdrawn"


class Consent(RecordModel, table=True):
    """A person's consent to appear in posts, by pseudonymous label only (no full name).

    Scope: the channels, content categories (purposes) and media assets it covers. Withdrawal or
    expiry (``ended_at``) takes down every live publication of the posts linked to it.
    """

    __tablename__ = "consents"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID = Field(foreign_key="clinics.id", index=True)
    subject_label: str = Field(max_length=100)
    subject_kind: SubjectKind = enum_column(SubjectKind)
    legal_basis: LegalBasis = enum_column(LegalBasis)
    channel_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    categories: list[str] = Field(default_factory=list, sa_type=JSONType)
    media_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    valid_from: datetime = utc_column()
    valid_until: datetime | None = utc_column(default=None, index=True)
    document_reference: str | None = Field(default=None, max_length=200)
    signer: str | None = Field(default=None, max_length=200)
    withdrawn_at: datetime | None = utc_column(default=None)
    withdrawal_reason: str | None = Field(default=None, max_length=2000)
    ended_at: datetime | None = utc_column(default=None)
    """When withdrawal or expiry started the takedown (set once)."""
    expiry_warned_at: datetime | None = utc_column(default=None)
    """When the 14-day expiry warning went out (sent once)."""
    created_by_id: uuid.UUID = Field(foreign_key="users.id")


class ConsentDocument(RecordModel, table=True):
    """The signed consent document, sealed with the organization's data key (AES-256-GCM,
    bound to the consent's id): the database never holds the plaintext."""

    __tablename__ = "consent_documents"

    consent_id: uuid.UUID = Field(foreign_key="consents.id", unique=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sealed: bytes = Field(sa_type=LargeBinary)
    uploaded_by_id: uuid.UUID = Field(foreign_key="users.id")


class PostConsent(RecordModel, table=True):
    """A consent a post relies on (part of the post's approved content)."""

    __tablename__ = "post_consents"
    __table_args__ = (UniqueConstraint("post_id", "consent_id"),)

    post_id: uuid.UUID = Field(foreign_key="posts.id", index=True)
    consent_id: uuid.UUID = Field(foreign_key="consents.id", index=True)


class TakedownStatus(StrEnum):
    """``pending`` waits for the worker (or its retry time); ``deleting`` is leased to a worker;
    ``blocked`` waits for the channel to be reconnected; ``deleted`` and ``failed`` are final
    (``failed``: the platform refused, a person must delete it by hand)."""

    pending = "pending"
    deleting = "deleting"
    blocked = "blocked"
    deleted = "deleted"
    failed = "failed"


class ConsentTakedown(RecordModel, table=True):
    """The deletion of one live publication because a consent ended: one row per publication,
    whichever and however many consents caused it (the unique key makes it exactly once)."""

    __tablename__ = "consent_takedowns"
    __table_args__ = (Index("ix_consent_takedowns_due", "status", "next_attempt_at"),)

    publication_id: uuid.UUID = Field(foreign_key="publications.id", unique=True)
    post_id: uuid.UUID = Field(foreign_key="posts.id", index=True)
    consent_id: uuid.UUID = Field(foreign_key="consents.id", index=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID = Field(foreign_key="clinics.id", index=True)
    status: TakedownStatus = enum_column(TakedownStatus, default=TakedownStatus.pending)
    next_attempt_at: datetime = utc_column()
    attempts: int = 0
    locked_by: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = utc_column(default=None)
    last_error: str | None = Field(default=None, max_length=2000)
    error_code: str | None = Field(default=None, max_length=64)
    finished_at: datetime | None = utc_column(default=None)
