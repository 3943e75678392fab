from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from app.channels.models import ChannelStatus, ConnectionStatus
from app.connectors.base import Platform
from app.kit.pagination import CursorPage
from app.kit.schemas import InputSchema, PatchSchema, Schema, TimestampedSchema

DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
InstanceUrl = Annotated[
    str, StringConstraints(max_length=300, pattern=r"^https?://[A-Za-z0-9.\-]+(:\d+)?(/[^\s?#]*)?$")
]
ConnectPlatform = Literal["mastodon", "facebook", "instagram", "linkedin", "bluesky"]
OAUTH_PLATFORMS = frozenset(
    {Platform.MASTODON, Platform.FACEBOOK, Platform.INSTAGRAM, Platform.LINKEDIN}
)


class ChannelRead(TimestampedSchema):
    """A connected account. Tokens never leave the backend, so there are no token fields."""

    updated_at: datetime
    organization_id: uuid.UUID
    clinic_id: uuid.UUID | None
    platform: Platform
    display_name: str
    handle: str | None
    platform_account_id: str
    instance_url: str | None
    status: ChannelStatus
    status_reason: str | None
    authorization_expires_at: datetime | None = Field(
        validation_alias="token_expires_at",
        description="When the platform authorization runs out (null: no known expiry).",
    )
    last_checked_at: datetime | None
    connected_by_id: uuid.UUID | None


ChannelPage = CursorPage[ChannelRead]


class ChannelUpdate(PatchSchema):
    """Rename, move to another clinic (``null``: the whole organization) or switch off."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset({"clinic_id"})

    display_name: DisplayName | None = None
    clinic_id: uuid.UUID | None = None
    status: Literal["disconnected"] | None = Field(
        default=None, description="Only `disconnected`: reconnecting goes through `/connect`."
    )


class ConnectRequest(InputSchema):
    """Start connecting an account. OAuth platforms answer with the URL to send the browser to;
    Bluesky takes the handle and an app password (verified by the worker)."""

    platform: ConnectPlatform
    clinic_id: uuid.UUID | None = None
    instance_url: InstanceUrl | None = Field(
        default=None, description="Mastodon server or Bluesky PDS; default from the settings."
    )
    handle: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    app_password: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="Bluesky app password; stored encrypted, never returned."
    )

    @model_validator(mode="after")
    def _fields_for_platform(self) -> ConnectRequest:
        if self.platform == "bluesky":
            if not self.handle or not self.app_password:
                raise ValueError("Bluesky needs `handle` and `app_password`")
        else:
            if self.handle is not None or self.app_password is not None:
                raise ValueError("`handle` and `app_password` are only for Bluesky")
            if self.instance_url is not None and self.platform != "mastodon":
                raise ValueError("`instance_url` is only for Mastodon and Bluesky")
        return self


class ConnectStarted(Schema):
    connection_id: uuid.UUID
    authorize_url: str | None = Field(
        description="Open this URL in the browser (OAuth platforms); null for Bluesky."
    )


class ConnectionRead(TimestampedSchema):
    """A connect flow; the UI polls it until it is `completed` or `failed`."""

    platform: Platform
    clinic_id: uuid.UUID | None
    status: ConnectionStatus
    failure_reason: str | None
    channel_ids: list[uuid.UUID]
    expires_at: datetime
    completed_at: datetime | None
