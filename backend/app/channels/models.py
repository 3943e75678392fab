from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from app.connectors.base import Platform
from app.kit.models import JSONType, RecordModel, enum_column, utc_column


class ChannelStatus(StrEnum):
    """`connected` publishes; `needs_reconnect` lost its authorization (expired or revoked token)
    and waits for an admin; `disconnected` was switched off on purpose."""

    connected = "connected"
    needs_reconnect = "needs_reconnect"
    disconnected = "disconnected"


class ConnectionStatus(StrEnum):
    """``pending`` until the worker finished the flow, then ``completed`` or ``failed``."""

    pending = "pending"
    completed = "completed"
    failed = "failed"


class Channel(RecordModel, table=True):
    """A connected social account of a clinic (or of the whole organization when ``clinic_id``
    is null). Tokens are sealed with the vault (``app.vault``) and never leave the backend."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("organization_id", "platform", "platform_account_id"),)

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID | None = Field(default=None, foreign_key="clinics.id", index=True)
    platform: Platform = enum_column(Platform)
    display_name: str = Field(max_length=200)
    handle: str | None = Field(default=None, max_length=200)
    platform_account_id: str = Field(max_length=200)
    instance_url: str | None = Field(default=None, max_length=300)
    status: ChannelStatus = enum_column(ChannelStatus, default=ChannelStatus.connected)
    status_reason: str | None = Field(default=None, max_length=500)
    access_token_sealed: str | None = Field(default=None, max_length=4000)
    refresh_token_sealed: str | None = Field(default=None, max_length=4000)
    token_expires_at: datetime | None = utc_column(default=None)
    connected_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")
    last_checked_at: datetime | None = utc_column(default=None)


class ChannelConnection(RecordModel, table=True):
    """A started OAuth connect flow: the ``state`` we sent (hashed) and who started it, so the
    callback can only complete a flow this installation began, once, within its lifetime."""

    __tablename__ = "channel_connections"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", index=True)
    clinic_id: uuid.UUID | None = Field(default=None, foreign_key="clinics.id")
    platform: Platform = enum_column(Platform)
    state_hash: str = Field(max_length=64, unique=True)
    code_verifier_sealed: str | None = Field(default=None, max_length=4000)
    channel_id: uuid.UUID | None = Field(default=None, foreign_key="channels.id")
    created_by_id: uuid.UUID = Field(foreign_key="users.id")
    expires_at: datetime = utc_column()
    completed_at: datetime | None = utc_column(default=None)
    status: ConnectionStatus = enum_column(ConnectionStatus, default=ConnectionStatus.pending)
    failure_reason: str | None = Field(default=None, max_length=500)
    instance_url: str | None = Field(default=None, max_length=300)
    handle: str | None = Field(default=None, max_length=200)
    code_sealed: str | None = Field(default=None, max_length=4000)
    """The OAuth authorization code from the callback, or the Bluesky app password."""
    callback_at: datetime | None = utc_column(default=None)
    """When the callback used the ``state``; a second use is refused."""
    channel_ids: list[Any] = Field(default_factory=list, sa_type=JSONType)
