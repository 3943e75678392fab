"""Connected social accounts (channels): connect flows, tokens in the vault, health checks."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.channels.models import Channel, ChannelConnection, ChannelStatus, ConnectionStatus
from app.channels.schemas import OAUTH_PLATFORMS, ChannelUpdate, ConnectRequest
from app.channels.settings import ChannelSettings, channel_settings
from app.config import Settings
from app.connectors._graph import GraphClient
from app.connectors._graph import map_error as graph_map_error
from app.connectors._http import send
from app.connectors.base import (
    Account,
    AuthExpired,
    ConnectorError,
    Credentials,
    Platform,
    RateLimited,
    TransientError,
)
from app.connectors.linkedin.client import LinkedInClient, credentials_from, token_request
from app.connectors.mastodon.client import MastodonClient
from app.connectors.registry import get_connector, supported_platforms
from app.connectors.settings import ConnectorSettings
from app.kit.db import Database
from app.kit.errors import BadRequest, Conflict, NotFound, field_error
from app.kit.pagination import CursorParams, paginate
from app.kit.schemas import apply_update
from app.kit.time import utc_now
from app.notifications.models import NotificationKind
from app.notifications.service import admins_of, notify
from app.vault.service import SecretBox
from app.worker import enqueue_job

log = logging.getLogger("klinikfunk.channels")


def _context(channel: Channel, name: str) -> str:
    return f"channel:{channel.id}:{name}"


async def account_for(session: AsyncSession, box: SecretBox, channel: Channel) -> Account:
    """The connector Account with decrypted Credentials (instance_url from channel)."""
    if channel.access_token_sealed is None:
        raise ValueError(f"channel {channel.id} has no stored credentials")
    access = await box.open(
        session,
        channel.organization_id,
        channel.access_token_sealed,
        context=_context(channel, "access_token"),
    )
    refresh = None
    if channel.refresh_token_sealed is not None:
        refresh = await box.open(
            session,
            channel.organization_id,
            channel.refresh_token_sealed,
            context=_context(channel, "refresh_token"),
        )
    return Account(
        platform=channel.platform,
        platform_account_id=channel.platform_account_id,
        credentials=Credentials(
            access_token=access, refresh_token=refresh, expires_at=channel.token_expires_at
        ),
        handle=channel.handle,
        instance_url=channel.instance_url,
    )


async def store_credentials(
    session: AsyncSession, box: SecretBox, channel: Channel, credentials: Credentials
) -> None:
    """Seal and save tokens + expiry; status connected."""
    channel.access_token_sealed = await box.seal(
        session,
        channel.organization_id,
        credentials.access_token,
        context=_context(channel, "access_token"),
    )
    channel.refresh_token_sealed = (
        await box.seal(
            session,
            channel.organization_id,
            credentials.refresh_token,
            context=_context(channel, "refresh_token"),
        )
        if credentials.refresh_token
        else None
    )
    channel.token_expires_at = credentials.expires_at
    channel.status = ChannelStatus.connected
    channel.status_reason = None
    session.add(channel)
    await session.flush()


async def mark_needs_reconnect(session: AsyncSession, channel: Channel, reason: str) -> None:
    """Status needs_reconnect with a German human reason, audited (``channel.needs_reconnect``);
    the channel's admins get a notification."""
    already = channel.status == ChannelStatus.needs_reconnect
    channel.status = ChannelStatus.needs_reconnect
    channel.status_reason = reason[:500]
    session.add(channel)
    await session.flush()
    if not already:
        await audit_service.record(
            session,
            "channel.needs_reconnect",
            organization_id=channel.organization_id,
            clinic_id=channel.clinic_id,
            target_type="channel",
            target_id=channel.id,
            details={"platform": channel.platform.value},
        )
        await notify(
            session, user_ids=await admins_of(session, channel.organization_id, channel.clinic_id),
            kind=NotificationKind.channel_needs_reconnect,
            organization_id=channel.organization_id, clinic_id=channel.clinic_id,
            title_de="Kanal muss neu verbunden werden",
            body_de=f"Der Kanal „{channel.display_name}“ hat seine Berechtigung verloren und "
            "veröffentlicht nichts, bis er neu verbunden ist.",
            link="/einstellungen/kanaele", target_type="channel", target_id=channel.id,
        )  # fmt: skip


# ---------- scope --------------------------------------------------------------------------


def _visible(subject: AuthSubject) -> Select[Any]:
    """Channels of clinics where the subject has any permission; organization channels to
    subjects with organization-level permissions."""
    scope: ColumnElement[bool] = col(Channel.clinic_id).in_(subject.clinic_ids())
    if subject.organization_permissions:
        scope = or_(scope, col(Channel.clinic_id).is_(None))
    return select(Channel).where(col(Channel.organization_id) == subject.organization_id, scope)


def _manageable(subject: AuthSubject) -> Select[Any]:
    scope: ColumnElement[bool] = col(Channel.clinic_id).in_(
        subject.clinic_ids(Permission.channels_manage)
    )
    if subject.has_org(Permission.channels_manage):
        scope = or_(scope, col(Channel.clinic_id).is_(None))
    return select(Channel).where(col(Channel.organization_id) == subject.organization_id, scope)


def _check_target_clinic(subject: AuthSubject, clinic_id: uuid.UUID | None, field: str) -> None:
    if clinic_id is None:
        if not subject.has_org(Permission.channels_manage):
            raise field_error(field, "Organisationsweite Kanäle verwaltet nur die Organisation.")
    elif clinic_id not in subject.clinic_ids(Permission.channels_manage):
        raise field_error(field, "Unbekannte Klinik.")


def _hash_state(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def redirect_uri(settings: Settings, platform: Platform) -> str:
    """Where the platform sends the browser back; the same in the API and the worker."""
    return f"{settings.base_url}/api/v1/channels/callback/{platform.value}"


def meta_dialog_url(graph_url: str) -> str:
    """``https://graph.facebook.com/v24.0`` → ``https://www.facebook.com/v24.0/dialog/oauth``;
    other hosts (the sandbox) serve the dialog under the Graph base."""
    return graph_url.rstrip("/").replace("://graph.facebook.com", "://www.facebook.com") + (
        "/dialog/oauth"
    )


def _graph_url(connectors: ConnectorSettings, platform: Platform) -> str:
    if platform is Platform.INSTAGRAM:
        return connectors.instagram_graph_url.rstrip("/")
    return connectors.facebook_graph_url.rstrip("/")


MASTODON_SCOPES = "read:accounts read:statuses write:statuses write:media"
LINKEDIN_SCOPES = "r_organization_social w_organization_social rw_organization_admin"
LINKEDIN_POSTING_ROLES = frozenset(
    {"ADMINISTRATOR", "CONTENT_ADMINISTRATOR", "DIRECT_SPONSORED_CONTENT_POSTER"}
)
META_SCOPES = {
    Platform.FACEBOOK: "pages_show_list,pages_manage_posts,pages_read_engagement,"
    "pages_manage_engagement,business_management",
    Platform.INSTAGRAM: "pages_show_list,instagram_basic,instagram_content_publish,"
    "pages_read_engagement,business_management",
}


class ConnectFlowInvalid(BadRequest):
    title = "Connect flow invalid"
    slug = "connect-flow-invalid"


class PlatformNotConfigured(Conflict):
    title = "Platform not configured"
    slug = "platform-not-configured"


@dataclass
class CompletedAccount:
    """One account the worker found at the end of a flow, ready to become a channel."""

    platform: Platform
    platform_account_id: str
    display_name: str
    handle: str | None
    instance_url: str | None
    credentials: Credentials


class ConnectFailed(Exception):
    """The flow cannot complete; ``reason`` is a German sentence for the admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChannelService:
    # Channels ------------------------------------------------------------------------------
    async def search(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        *,
        clinic_id: uuid.UUID | None,
        platform: Platform | None,
        status: ChannelStatus | None,
    ) -> tuple[Sequence[Channel], str | None]:
        statement = _visible(subject)
        if clinic_id is not None:
            statement = statement.where(col(Channel.clinic_id) == clinic_id)
        if platform is not None:
            statement = statement.where(col(Channel.platform) == platform)
        if status is not None:
            statement = statement.where(col(Channel.status) == status)
        return await paginate(
            session, statement, params, sort=col(Channel.created_at), id_column=col(Channel.id)
        )

    async def get(
        self, session: AsyncSession, subject: AuthSubject, channel_id: uuid.UUID
    ) -> Channel:
        channel: Channel | None = (
            await session.execute(_visible(subject).where(col(Channel.id) == channel_id))
        ).scalar_one_or_none()
        if channel is None:
            raise NotFound("No such channel.")
        return channel

    async def get_manageable(
        self, session: AsyncSession, subject: AuthSubject, channel_id: uuid.UUID
    ) -> Channel:
        channel: Channel | None = (
            await session.execute(_manageable(subject).where(col(Channel.id) == channel_id))
        ).scalar_one_or_none()
        if channel is None:
            raise NotFound("No such channel.")
        return channel

    async def update(
        self, session: AsyncSession, subject: AuthSubject, channel: Channel, data: ChannelUpdate
    ) -> Channel:
        if "clinic_id" in data.model_fields_set:
            _check_target_clinic(subject, data.clinic_id, "body.clinic_id")
        fields = data.model_dump(exclude_unset=True, exclude={"status"})
        changes = apply_update(channel, ChannelUpdate.model_validate(fields))
        if changes:
            await session.flush()
            await audit_service.record(
                session, "channel.updated", subject=subject, clinic_id=channel.clinic_id,
                target_type="channel", target_id=channel.id, details={"changes": changes},
            )  # fmt: skip
        if data.status == "disconnected":
            return await self.disconnect(session, subject, channel)
        return channel

    async def disconnect(
        self, session: AsyncSession, subject: AuthSubject, channel: Channel
    ) -> Channel:
        """Switch the channel off: tokens are wiped, the row and its history stay."""
        if channel.status is ChannelStatus.disconnected and channel.access_token_sealed is None:
            return channel
        channel.status = ChannelStatus.disconnected
        channel.status_reason = "Verbindung wurde getrennt."
        channel.access_token_sealed = None
        channel.refresh_token_sealed = None
        channel.token_expires_at = None
        await session.flush()
        await audit_service.record(
            session, "channel.disconnected", subject=subject, clinic_id=channel.clinic_id,
            target_type="channel", target_id=channel.id,
            details={"platform": channel.platform.value},
        )  # fmt: skip
        return channel

    # Connect flows -------------------------------------------------------------------------
    async def start_connect(
        self,
        session: AsyncSession,
        box: SecretBox,
        subject: AuthSubject,
        data: ConnectRequest,
        *,
        settings: Settings,
        channels: ChannelSettings,
        connectors: ConnectorSettings,
    ) -> tuple[ChannelConnection, str | None]:
        _check_target_clinic(subject, data.clinic_id, "body.clinic_id")
        platform = Platform(data.platform)
        state = secrets.token_urlsafe(32)
        connection = ChannelConnection(
            organization_id=subject.organization_id,
            clinic_id=data.clinic_id,
            platform=platform,
            state_hash=_hash_state(state),
            created_by_id=subject.user.id,
            expires_at=utc_now() + timedelta(minutes=channels.connect_flow_minutes),
        )
        authorize_url: str | None = None
        verifier: str | None = None
        if platform is Platform.MASTODON:
            instance = (data.instance_url or connectors.mastodon_url).rstrip("/")
            app = channels.mastodon_app(instance)
            if app is None:
                raise PlatformNotConfigured(
                    "Für diese Mastodon-Instanz ist keine App registriert "
                    "(KLINIKFUNK_MASTODON_APPS)."
                )
            connection.instance_url = instance
            verifier = secrets.token_urlsafe(48)
            query = {
                "response_type": "code",
                "client_id": app.client_id,
                "redirect_uri": redirect_uri(settings, platform),
                "scope": MASTODON_SCOPES,
                "state": state,
                "code_challenge": _pkce_challenge(verifier),
                "code_challenge_method": "S256",
            }
            authorize_url = f"{instance}/oauth/authorize?{urlencode(query)}"
        elif platform is Platform.LINKEDIN:
            if not connectors.linkedin_configured():
                raise PlatformNotConfigured("Die LinkedIn-App ist nicht konfiguriert.")
            query = {
                "response_type": "code",
                "client_id": str(connectors.linkedin_client_id),
                "redirect_uri": redirect_uri(settings, platform),
                "state": state,
                "scope": LINKEDIN_SCOPES,
            }
            authorize_url = (
                f"{connectors.linkedin_oauth_url.rstrip('/')}/authorization?{urlencode(query)}"
            )
        elif platform in OAUTH_PLATFORMS:
            if not channels.meta_configured():
                raise PlatformNotConfigured("Die Meta-App ist nicht konfiguriert.")
            query = {
                "client_id": str(channels.meta_app_id),
                "redirect_uri": redirect_uri(settings, platform),
                "state": state,
                "scope": META_SCOPES[platform],
                "response_type": "code",
            }
            authorize_url = (
                f"{meta_dialog_url(_graph_url(connectors, platform))}?{urlencode(query)}"
            )
        else:  # Bluesky: app password, verified by the worker
            connection.instance_url = (data.instance_url or connectors.bluesky_pds_url).rstrip("/")
            connection.handle = data.handle
        session.add(connection)
        await session.flush()
        if verifier is not None:
            connection.code_verifier_sealed = await box.seal(
                session, connection.organization_id, verifier,
                context=f"channel_connection:{connection.id}:code_verifier",
            )  # fmt: skip
        if data.app_password is not None:
            connection.code_sealed = await box.seal(
                session, connection.organization_id, data.app_password,
                context=f"channel_connection:{connection.id}:code",
            )  # fmt: skip
            connection.callback_at = utc_now()
            enqueue_job(session, COMPLETE_TASK, connection_id=str(connection.id))
        await session.flush()
        await audit_service.record(
            session, "channel.connect_started", subject=subject, clinic_id=data.clinic_id,
            target_type="channel_connection", target_id=connection.id,
            details={"platform": platform.value},
        )  # fmt: skip
        return connection, authorize_url

    async def callback(
        self,
        session: AsyncSession,
        box: SecretBox,
        platform: Platform,
        *,
        state: str,
        code: str | None,
        error: str | None,
    ) -> ChannelConnection:
        """The platform sent the browser back: check ``state`` (known, unused, unexpired), keep
        the code sealed and let the worker finish the flow."""
        connection: ChannelConnection | None = (
            await session.execute(
                select(ChannelConnection).where(
                    col(ChannelConnection.state_hash) == _hash_state(state)
                )
            )
        ).scalar_one_or_none()
        if connection is None or connection.platform is not platform:
            raise ConnectFlowInvalid(
                "Unbekannte Verbindungsanfrage: bitte die Verbindung in Klinikfunk neu starten."
            )
        if connection.callback_at is not None:
            raise ConnectFlowInvalid(
                "Diese Verbindungsanfrage wurde schon verwendet: bitte neu starten."
            )
        if connection.expires_at <= utc_now():
            raise ConnectFlowInvalid(
                "Die Verbindungsanfrage ist abgelaufen: bitte die Verbindung neu starten."
            )
        connection.callback_at = utc_now()
        if error is not None or not code:
            connection.status = ConnectionStatus.failed
            connection.failure_reason = "Die Berechtigung wurde auf der Plattform nicht erteilt."
            connection.completed_at = utc_now()
            await session.flush()
            await audit_service.record(
                session, "channel.connect_failed", organization_id=connection.organization_id,
                clinic_id=connection.clinic_id, target_type="channel_connection",
                target_id=connection.id, details={"platform": platform.value, "denied": True},
            )  # fmt: skip
            return connection
        connection.code_sealed = await box.seal(
            session, connection.organization_id, code,
            context=f"channel_connection:{connection.id}:code",
        )  # fmt: skip
        await session.flush()
        enqueue_job(session, COMPLETE_TASK, connection_id=str(connection.id))
        return connection

    async def get_connection(
        self, session: AsyncSession, subject: AuthSubject, connection_id: uuid.UUID
    ) -> ChannelConnection:
        scope: ColumnElement[bool] = col(ChannelConnection.clinic_id).in_(
            subject.clinic_ids(Permission.channels_manage)
        )
        if subject.has_org(Permission.channels_manage):
            scope = or_(scope, col(ChannelConnection.clinic_id).is_(None))
        connection: ChannelConnection | None = (
            await session.execute(
                select(ChannelConnection).where(
                    col(ChannelConnection.id) == connection_id,
                    col(ChannelConnection.organization_id) == subject.organization_id,
                    scope,
                )
            )
        ).scalar_one_or_none()
        if connection is None:
            raise NotFound("No such connection.")
        return connection


channel_service = ChannelService()
COMPLETE_TASK = "channels.complete_connection"


# ---------- worker side: finishing flows and checking tokens --------------------------------


async def _platform_json(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"{what}: HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise TransientError(f"{what}: response is not JSON") from None
    if not isinstance(body, dict):
        raise TransientError(f"{what}: unexpected response")
    return body


async def _mastodon_accounts(
    http: httpx.AsyncClient,
    connection: ChannelConnection,
    code: str,
    verifier: str,
    *,
    settings: Settings,
    channels: ChannelSettings,
    connectors: ConnectorSettings,
) -> list[CompletedAccount]:
    instance = (connection.instance_url or connectors.mastodon_url).rstrip("/")
    app = channels.mastodon_app(instance)
    if app is None:
        raise ConnectFailed("Für diese Mastodon-Instanz ist keine App registriert.")
    response = await send(
        http, "POST", f"{instance}/oauth/token", http_timeout=connectors.request_timeout(),
        data={
            "grant_type": "authorization_code", "code": code, "client_id": app.client_id,
            "client_secret": app.client_secret.get_secret_value(),
            "redirect_uri": redirect_uri(settings, Platform.MASTODON), "code_verifier": verifier,
        },
    )  # fmt: skip
    body = await _platform_json(response, "mastodon token")
    if response.status_code != 200 or "access_token" not in body:
        raise ConnectFailed(
            "Mastodon hat die Anmeldung nicht bestätigt (Code ungültig oder abgelaufen)."
        )
    token = str(body["access_token"])
    me = await MastodonClient(
        http, instance, token, timeout=connectors.request_timeout()
    ).verify_credentials()
    username = str(me.get("username") or me.get("acct") or me["id"])
    host = httpx.URL(instance).host
    return [
        CompletedAccount(
            platform=Platform.MASTODON,
            platform_account_id=str(me["id"]),
            display_name=str(me.get("display_name") or username)[:200],
            handle=f"@{username}@{host}",
            instance_url=instance,
            credentials=Credentials(access_token=token),
        )
    ]


async def _meta_accounts(
    http: httpx.AsyncClient,
    connection: ChannelConnection,
    code: str,
    *,
    settings: Settings,
    channels: ChannelSettings,
    connectors: ConnectorSettings,
) -> list[CompletedAccount]:
    if not channels.meta_configured():
        raise ConnectFailed("Die Meta-App ist nicht konfiguriert.")
    platform = connection.platform
    base = _graph_url(connectors, platform)
    app_id, secret = str(channels.meta_app_id), channels.meta_app_secret
    assert secret is not None
    timeout = connectors.request_timeout()

    async def token_call(params: dict[str, str]) -> str:
        response = await send(
            http, "GET", f"{base}/oauth/access_token", http_timeout=timeout, params=params
        )
        if response.status_code >= 400:
            error = graph_map_error(response)
            if isinstance(error, TransientError | RateLimited):
                raise error
            raise ConnectFailed(
                "Meta hat die Anmeldung nicht bestätigt (Code ungültig oder abgelaufen)."
            )
        return str((await _platform_json(response, "graph token"))["access_token"])

    short = await token_call(
        {
            "client_id": app_id,
            "client_secret": secret.get_secret_value(),
            "redirect_uri": redirect_uri(settings, platform),
            "code": code,
        }
    )
    long_lived = await token_call(
        {
            "grant_type": "fb_exchange_token",
            "client_id": app_id,
            "client_secret": secret.get_secret_value(),
            "fb_exchange_token": short,
        }
    )
    graph = GraphClient(http, base, long_lived, timeout=timeout)
    pages: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(20):  # paging.cursors.after; 20 pages of 100 Pages is plenty
        params = {"fields": "id,name,access_token,instagram_business_account", "limit": "100"}
        if after:
            params["after"] = after
        body = await graph.request("GET", "me/accounts", params=params)
        pages.extend(p for p in body.get("data", []) if isinstance(p, dict))
        after = body.get("paging", {}).get("cursors", {}).get("after") or None
        if not after or not body.get("paging", {}).get("next"):
            break
    accounts: list[CompletedAccount] = []
    for page in pages:
        token = Credentials(access_token=str(page["access_token"]))
        if platform is Platform.FACEBOOK:
            accounts.append(
                CompletedAccount(
                    platform,
                    str(page["id"]),
                    str(page.get("name") or page["id"])[:200],
                    None,
                    None,
                    token,
                )
            )
        elif isinstance(page.get("instagram_business_account"), dict):
            ig = page["instagram_business_account"]
            name = str(ig.get("username") or page.get("name") or ig["id"])
            accounts.append(
                CompletedAccount(
                    platform,
                    str(ig["id"]),
                    f"{name} (Instagram)"[:200],
                    str(ig["username"]) if ig.get("username") else None,
                    None,
                    token,
                )
            )
    if not accounts:
        raise ConnectFailed(
            "Keine Facebook-Seite gefunden, auf die Klinikfunk zugreifen darf."
            if platform is Platform.FACEBOOK
            else "Kein Instagram-Konto gefunden, das mit einer freigegebenen Facebook-Seite "
            "verknüpft ist."
        )
    return accounts


async def _linkedin_accounts(
    http: httpx.AsyncClient,
    code: str,
    *,
    settings: Settings,
    connectors: ConnectorSettings,
) -> list[CompletedAccount]:
    """Code → tokens (access 60 d, refresh 365 d for approved apps), then one channel per
    organization page the member may post for (``organizationAcls``)."""
    secret = connectors.linkedin_client_secret
    if not connectors.linkedin_configured() or secret is None:
        raise ConnectFailed("Die LinkedIn-App ist nicht konfiguriert.")
    timeout = connectors.request_timeout()
    try:
        body = await token_request(
            http, connectors.linkedin_oauth_url,
            {
                "grant_type": "authorization_code", "code": code,
                "redirect_uri": redirect_uri(settings, Platform.LINKEDIN),
                "client_id": str(connectors.linkedin_client_id),
                "client_secret": secret.get_secret_value(),
            },
            http_timeout=timeout,
        )  # fmt: skip
    except AuthExpired:
        raise ConnectFailed(
            "LinkedIn hat die Anmeldung nicht bestätigt (Code ungültig oder abgelaufen)."
        ) from None
    credentials = credentials_from(body)
    client = LinkedInClient(
        http, connectors.linkedin_api_url, credentials.access_token,
        version=connectors.linkedin_version, timeout=timeout,
    )  # fmt: skip
    urns = {
        str(acl["organization"])
        for acl in await client.organization_acls()
        if acl.get("role") in LINKEDIN_POSTING_ROLES
        and str(acl.get("organization", "")).startswith("urn:li:organization:")
    }
    accounts: list[CompletedAccount] = []
    for urn in sorted(urns):
        org = await client.organization(urn.removeprefix("urn:li:organization:"))
        name = str(org.get("localizedName") or urn)
        vanity = str(org["vanityName"]) if org.get("vanityName") else None
        accounts.append(
            CompletedAccount(Platform.LINKEDIN, urn, name[:200], vanity, None, credentials)
        )
    if not accounts:
        raise ConnectFailed(
            "Keine LinkedIn-Unternehmensseite gefunden, die dieses Mitglied als Administrator "
            "verwaltet."
        )
    return accounts


async def _bluesky_accounts(
    http: httpx.AsyncClient,
    connection: ChannelConnection,
    password: str,
    connectors: ConnectorSettings,
) -> list[CompletedAccount]:
    connector = get_connector(Platform.BLUESKY, connectors, http)
    login = getattr(connector, "login", None)
    if login is None:  # pragma: no cover - the Bluesky connector offers it
        raise ConnectFailed("Bluesky-Anmeldung wird nicht unterstützt.")
    account: Account = await login(
        connection.handle or "", password, service_url=connection.instance_url
    )
    return [
        CompletedAccount(
            Platform.BLUESKY,
            account.platform_account_id,
            account.handle or account.platform_account_id,
            account.handle,
            account.instance_url,
            account.credentials,
        )
    ]


async def complete_connection(
    database: Database,
    box: SecretBox,
    http: httpx.AsyncClient,
    connection_id: uuid.UUID,
    *,
    settings: Settings,
    final_attempt: bool = True,
    channels: ChannelSettings | None = None,
    connectors: ConnectorSettings | None = None,
) -> None:
    """Worker: exchange the code (or log in with the app password), create or update one channel
    per account found and mark the flow completed or failed. Platform calls run outside any
    database transaction; transient failures propagate so the worker retries."""
    channels = channels or channel_settings()
    connectors = connectors or ConnectorSettings()
    async with database.session_scope() as session:
        connection = await session.get(ChannelConnection, connection_id)
        if (
            connection is None
            or connection.status is not ConnectionStatus.pending
            or connection.code_sealed is None
        ):
            return
        org = connection.organization_id
        secret = await box.open(
            session, org, connection.code_sealed,
            context=f"channel_connection:{connection.id}:code",
        )  # fmt: skip
        verifier = (
            await box.open(
                session,
                org,
                connection.code_verifier_sealed,
                context=f"channel_connection:{connection.id}:code_verifier",
            )
            if connection.code_verifier_sealed
            else ""
        )
        session.expunge(connection)
    reason: str | None = None
    accounts: list[CompletedAccount] = []
    try:
        if connection.platform is Platform.MASTODON:
            accounts = await _mastodon_accounts(
                http, connection, secret, verifier,
                settings=settings, channels=channels, connectors=connectors,
            )  # fmt: skip
        elif connection.platform is Platform.BLUESKY:
            accounts = await _bluesky_accounts(http, connection, secret, connectors)
        elif connection.platform is Platform.LINKEDIN:
            accounts = await _linkedin_accounts(
                http, secret, settings=settings, connectors=connectors
            )
        else:
            accounts = await _meta_accounts(
                http, connection, secret, settings=settings, channels=channels,
                connectors=connectors,
            )  # fmt: skip
    except ConnectFailed as exc:
        reason = exc.reason
    except (TransientError, RateLimited) as exc:
        if not final_attempt:
            raise
        reason = exc.user_message or "Die Plattform war nicht erreichbar; bitte erneut versuchen."
    except ConnectorError as exc:
        reason = exc.user_message or "Die Plattform hat die Verbindung abgelehnt."
    async with database.session_scope() as session:
        current = await session.get(ChannelConnection, connection_id)
        if current is None or current.status is not ConnectionStatus.pending:
            return
        current.completed_at = utc_now()
        current.code_sealed = None  # single use; nothing left to steal
        current.code_verifier_sealed = None
        if reason is not None:
            current.status = ConnectionStatus.failed
            current.failure_reason = reason[:500]
            await session.flush()
            await audit_service.record(
                session, "channel.connect_failed", organization_id=org,
                actor_id=current.created_by_id, clinic_id=current.clinic_id,
                target_type="channel_connection", target_id=current.id,
                details={"platform": current.platform.value},
            )  # fmt: skip
            return
        ids = [await _upsert_channel(session, box, current, account) for account in accounts]
        current.status = ConnectionStatus.completed
        current.channel_id = ids[0]
        current.channel_ids = [str(i) for i in ids]
        await session.flush()


async def _upsert_channel(
    session: AsyncSession, box: SecretBox, connection: ChannelConnection, found: CompletedAccount
) -> uuid.UUID:
    channel: Channel | None = (
        await session.execute(
            select(Channel).where(
                col(Channel.organization_id) == connection.organization_id,
                col(Channel.platform) == found.platform,
                col(Channel.platform_account_id) == found.platform_account_id,
            )
        )
    ).scalar_one_or_none()
    reconnect = channel is not None
    if channel is None:
        channel = Channel(
            organization_id=connection.organization_id,
            clinic_id=connection.clinic_id,
            platform=found.platform,
            display_name=found.display_name,
            platform_account_id=found.platform_account_id,
        )
        session.add(channel)
    channel.handle = found.handle
    channel.instance_url = found.instance_url
    channel.connected_by_id = connection.created_by_id
    channel.last_checked_at = utc_now()
    await session.flush()
    await store_credentials(session, box, channel, found.credentials)
    await audit_service.record(
        session, "channel.connected", organization_id=channel.organization_id,
        actor_id=connection.created_by_id, clinic_id=channel.clinic_id, target_type="channel",
        target_id=channel.id, details={"platform": channel.platform.value, "reconnect": reconnect},
    )  # fmt: skip
    return channel.id


async def check_tokens(
    database: Database,
    box: SecretBox,
    http: httpx.AsyncClient,
    *,
    channels: ChannelSettings | None = None,
    connectors: ConnectorSettings | None = None,
) -> int:
    """Worker: refresh tokens that expire within ``token_refresh_days`` and verify channels not
    checked for ``health_check_hours``; :class:`AuthExpired` → ``needs_reconnect``. Returns how
    many channels were looked at."""
    channels = channels or channel_settings()
    connectors = connectors or ConnectorSettings()
    now = utc_now()
    async with database.session_scope() as session:
        due = list(
            (
                await session.execute(
                    select(col(Channel.id)).where(
                        col(Channel.status) == ChannelStatus.connected,
                        col(Channel.access_token_sealed).is_not(None),
                        col(Channel.platform).in_(supported_platforms()),
                        or_(
                            col(Channel.token_expires_at)
                            <= now + timedelta(days=channels.token_refresh_days),
                            col(Channel.last_checked_at).is_(None),
                            col(Channel.last_checked_at)
                            <= now - timedelta(hours=channels.health_check_hours),
                        ),
                    )
                )
            ).scalars()
        )
    for channel_id in due:
        await _check_one(database, box, http, channel_id, connectors)
    return len(due)


async def _check_one(
    database: Database,
    box: SecretBox,
    http: httpx.AsyncClient,
    channel_id: uuid.UUID,
    connectors: ConnectorSettings,
) -> None:
    async with database.session_scope() as session:
        channel = await session.get(Channel, channel_id)
        if channel is None or channel.status is not ChannelStatus.connected:
            return
        account = await account_for(session, box, channel)
    connector = get_connector(account.platform, connectors, http)
    expired: AuthExpired | None = None
    fresh: Credentials | None = None
    try:
        fresh = await connector.refresh_token(account)
    except AuthExpired as exc:
        expired = exc
    except ConnectorError as exc:  # transient or unexpected: try again on the next run
        log.warning("token check for channel %s failed: %s", channel_id, exc.message)
        return
    async with database.session_scope() as session:
        channel = await session.get(Channel, channel_id)
        if channel is None or channel.status is not ChannelStatus.connected:
            return
        channel.last_checked_at = utc_now()
        if expired is not None:
            await mark_needs_reconnect(
                session, channel,
                expired.user_message
                or "Die Anmeldung bei der Plattform ist abgelaufen oder wurde widerrufen; "
                "bitte den Kanal neu verbinden.",
            )  # fmt: skip
        elif fresh is not None and fresh != account.credentials:
            await store_credentials(session, box, channel, fresh)
        await session.flush()
