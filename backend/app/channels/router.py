from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse

from app.auth.dependencies import ChannelsManage
from app.auth.subject import CurrentUser
from app.channels.dependencies import ChannelSettingsDep, ConnectorSettingsDep, SecretBoxDep
from app.channels.models import ChannelStatus
from app.channels.schemas import (
    ChannelPage,
    ChannelRead,
    ChannelUpdate,
    ConnectionRead,
    ConnectRequest,
    ConnectStarted,
)
from app.channels.service import ConnectFlowInvalid, PlatformNotConfigured, channel_service
from app.connectors.base import Platform
from app.kit.db import DbSession
from app.kit.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
router = APIRouter(prefix="/channels", tags=["channels"])


@router.get("", response_model=ChannelPage, responses={401: Unauthorized.doc()})
async def list_channels(
    subject: CurrentUser,
    session: DbSession,
    pagination: Pagination,
    clinic_id: Annotated[uuid.UUID | None, Query()] = None,
    platform: Annotated[Platform | None, Query()] = None,
    status: Annotated[ChannelStatus | None, Query()] = None,
) -> ChannelPage:
    """Channels in the caller's scope: their clinics' and, with organization-level rights, the
    organization's. Tokens are never part of a channel."""
    items, next_cursor = await channel_service.search(
        session, subject, pagination, clinic_id=clinic_id, platform=platform, status=status
    )
    return ChannelPage(
        items=[ChannelRead.model_validate(c) for c in items], next_cursor=next_cursor
    )


@router.post(
    "/connect",
    response_model=ConnectStarted,
    status_code=status.HTTP_201_CREATED,
    responses={**AUTH_ERRORS, 409: PlatformNotConfigured.doc(), 422: Unprocessable.doc()},
)
async def connect(
    body: ConnectRequest,
    subject: ChannelsManage,
    session: DbSession,
    box: SecretBoxDep,
    request: Request,
    channels: ChannelSettingsDep,
    connectors: ConnectorSettingsDep,
) -> ConnectStarted:
    """Start connecting an account: OAuth platforms return the URL to open; Bluesky's app
    password is checked by the worker. Poll `GET /channels/connections/{id}` for the result."""
    connection, authorize_url = await channel_service.start_connect(
        session, box, subject, body, settings=request.app.state.settings,
        channels=channels, connectors=connectors,
    )  # fmt: skip
    return ConnectStarted(connection_id=connection.id, authorize_url=authorize_url)


@router.get(
    "/callback/{platform}",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    responses={400: ConnectFlowInvalid.doc()},
)
async def callback(
    platform: Platform,
    session: DbSession,
    box: SecretBoxDep,
    state: Annotated[str, Query(min_length=1, max_length=200)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> RedirectResponse:
    """Public: the platform redirects the browser here after consent. Unknown, used or
    expired `state` is refused; else the code is kept encrypted for the worker and the browser
    goes back to the channel settings."""
    connection = await channel_service.callback(
        session, box, platform, state=state, code=code, error=error
    )
    return RedirectResponse(
        f"/einstellungen/kanaele?verbindung={connection.id}",
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.get(
    "/connections/{connection_id}",
    response_model=ConnectionRead,
    responses={**AUTH_ERRORS, 404: NotFound.doc()},
)
async def get_connection(
    connection_id: uuid.UUID, subject: ChannelsManage, session: DbSession
) -> ConnectionRead:
    """The state of a connect flow: `pending`, `completed` (with channel ids) or `failed`."""
    return ConnectionRead.model_validate(
        await channel_service.get_connection(session, subject, connection_id)
    )


@router.get(
    "/{channel_id}",
    response_model=ChannelRead,
    responses={401: Unauthorized.doc(), 404: NotFound.doc()},
)
async def get_channel(
    channel_id: uuid.UUID, subject: CurrentUser, session: DbSession
) -> ChannelRead:
    """One channel in scope."""
    return ChannelRead.model_validate(await channel_service.get(session, subject, channel_id))


@router.patch(
    "/{channel_id}",
    response_model=ChannelRead,
    responses={**AUTH_ERRORS, 404: NotFound.doc(), 422: Unprocessable.doc()},
)
async def update_channel(
    channel_id: uuid.UUID, body: ChannelUpdate, subject: ChannelsManage, session: DbSession
) -> ChannelRead:
    """Rename, move to another clinic in scope, or set `status: disconnected`."""
    channel = await channel_service.get_manageable(session, subject, channel_id)
    return ChannelRead.model_validate(await channel_service.update(session, subject, channel, body))


@router.delete(
    "/{channel_id}",
    response_model=ChannelRead,
    responses={**AUTH_ERRORS, 404: NotFound.doc()},
)
async def disconnect_channel(
    channel_id: uuid.UUID, subject: ChannelsManage, session: DbSession
) -> ChannelRead:
    """Disconnect: the tokens are wiped, the channel and its publications stay as history."""
    channel = await channel_service.get_manageable(session, subject, channel_id)
    return ChannelRead.model_validate(await channel_service.disconnect(session, subject, channel))
