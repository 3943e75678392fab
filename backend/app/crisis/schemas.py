from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.connectors.base import Platform
from app.kit.pagination import CursorPage
from app.kit.schemas import InputSchema, Schema, TimestampedSchema
from app.posts.models import PostStatus
from app.publishing.schemas import PublicationRead
from app.users.models import ScopeType

Reason = Annotated[str, StringConstraints(min_length=3, max_length=1000)]


class CrisisCreate(InputSchema):
    scope_type: ScopeType
    scope_id: uuid.UUID = Field(description="The organization, region or clinic in crisis.")
    reason: Reason


class CrisisRead(TimestampedSchema):
    organization_id: uuid.UUID
    scope_type: ScopeType
    scope_id: uuid.UUID
    reason: str
    started_by_id: uuid.UUID
    started_at: datetime
    ended_at: datetime | None
    ended_by_id: uuid.UUID | None
    active: bool


class CrisisStarted(CrisisRead):
    paused_publications: int = Field(description="Pending publications paused by this action.")
    in_flight_publication_ids: list[uuid.UUID] = Field(
        description="Publications whose platform call had already started; they may still "
        "appear and must be checked."
    )


CrisisPage = CursorPage[CrisisRead]


class PausedPublicationRead(PublicationRead):
    """A paused publication with what a person needs to reschedule it in local time."""

    post_title: str
    timezone: str = Field(description="The clinic's IANA time zone, e.g. `Europe/Berlin`.")
    due_local: datetime = Field(description="`due_at` as wall-clock time in `timezone`.")


PausedPublicationPage = CursorPage[PausedPublicationRead]


class HoldingChannel(Schema):
    channel_id: uuid.UUID
    channel_name: str
    platform: Platform
    connected: bool


class HoldingStatementRead(Schema):
    """A post of the dark-site set and whether it can go out now."""

    id: uuid.UUID = Field(description="The post's id.")
    clinic_id: uuid.UUID
    clinic_name: str
    title: str
    language: str
    base_text: str
    status: PostStatus
    updated_at: datetime
    approved: bool = Field(description="Approved, unchanged since, and not scheduled yet.")
    channels_connected: bool = Field(description="Has target channels, all of them connected.")
    compliance_ok: bool = Field(description="No blocking finding (platform rules, compliance).")
    crisis_active: bool = Field(description="An active crisis covers the post's clinic.")
    ready: bool = Field(description="All of the above: the comms lead can publish it now.")
    problems: list[str] = Field(description="Why it is not ready, in plain German.")
    channels: list[HoldingChannel]
    publications: list[PublicationRead] = Field(
        description="Once published: one per channel with its state and link."
    )


HoldingStatementPage = CursorPage[HoldingStatementRead]


class HoldingPublish(InputSchema):
    post_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=20, description="The holding statements to publish now."
    )


class HoldingPublished(Schema):
    items: list[HoldingStatementRead]


class HoldingFlag(InputSchema):
    holding_statement: bool = Field(description="Keep the crisis post in the dark-site set.")
