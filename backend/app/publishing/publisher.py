"""The publisher: exactly one platform post per publication (platforms.md §1.1, REL-1/2/3/10).

One iteration claims due publications under a lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite serialises writers), then for each:

1. too late (more than ``publish_window_minutes`` after ``due_at``) → ``missed``, never late;
2. in an active crisis → ``paused``;
3. an earlier attempt of unknown outcome (``attempt_started_at`` set, no platform id) is
   reconciled first with ``Connector.lookup``: found → ``published``; absent → publish again;
   lookup impossible → ``unconfirmed`` with what to check;
4. "arm": in its own committed transaction the row is locked, still ours and not paused, and
   ``attempt_started_at`` is stored — only then the one visible call is made, outside any
   transaction; its result is recorded in a third transaction.

Claim and crisis pause lock the same rows, and the arm step re-reads crisis and status after
taking the row lock, so nothing claimed after a pause commit is published (FEAT-6).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import weakref
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.channels.models import Channel, ChannelStatus
from app.channels.service import account_for, mark_needs_reconnect, store_credentials
from app.config import Settings
from app.connectors.base import (
    Account,
    AuthExpired,
    Connector,
    ConnectorError,
    DuplicatePost,
    MediaItem,
    PermanentError,
    Platform,
    PublishRequest,
    PublishResult,
    RateLimited,
    TransientError,
)
from app.connectors.registry import UnsupportedPlatform, get_connector
from app.connectors.settings import ConnectorSettings
from app.crisis.scope import active_crisis_for
from app.kit.db import Database
from app.kit.time import utc_now
from app.media import storage as media_storage
from app.media.signing import signed_url
from app.posts.models import MediaAsset, Post, PostMedia, PostStatus, PostVariant
from app.publishing.models import Publication, PublicationStatus
from app.publishing.service import settle
from app.vault.service import SecretBox, SecretError, keyring_from
from app.worker.runner import backoff

log = logging.getLogger("klinikfunk.publisher")
S = PublicationStatus
PULLS_BY_URL = frozenset({Platform.FACEBOOK, Platform.INSTAGRAM})
"""Platforms that download attached media themselves from a URL (platforms.md §3.1)."""

PLATFORM_NAMES = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "x": "X",
}

# ---------- the shared HTTP client (one per event loop, connection pool reused) ----------

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


def shared_http(settings: ConnectorSettings) -> httpx.AsyncClient:
    """The process's HTTP client for platform calls; each call also passes its own timeout."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(timeout=settings.request_timeout(), follow_redirects=False)
        _clients[loop] = client
    return client


async def close_shared_http() -> None:
    client = _clients.pop(asyncio.get_running_loop(), None)
    if client is not None:
        await client.aclose()


# ---------- German texts for editors ----------


def _fmt(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M UTC")


def _platform(channel: Channel) -> str:
    return PLATFORM_NAMES.get(channel.platform.value, channel.platform.value)


def missed_message(due_at: datetime, window_minutes: int) -> str:
    return (
        f"Nicht veröffentlicht: Der geplante Zeitpunkt ({_fmt(due_at)}) liegt mehr als "
        f"{window_minutes} Minuten zurück. Ein verspäteter Beitrag wird nicht automatisch "
        "nachgeholt – bitte neu einplanen."
    )


CRISIS_MESSAGE = (
    "Angehalten: Für diesen Standort ist der Krisenmodus aktiv. Nach Prüfung bitte mit einem "
    "neuen Zeitpunkt fortsetzen."
)


def unconfirmed_message(channel: Channel, since: datetime | None) -> str:
    start = _fmt(since) if since else "dem letzten Versuch"
    return (
        f"Unklar, ob der Beitrag auf {_platform(channel)} erschienen ist: Die Plattform hat nicht "
        f"geantwortet und ließ sich nicht abfragen. Bitte auf dem Kanal „{channel.display_name}“ "
        f"nach einem Beitrag seit {start} suchen. Ist er dort, nichts weiter tun; fehlt er, "
        "die Veröffentlichung erneut anstoßen."
    )


def reconnect_message(channel: Channel) -> str:
    return (
        f"Angehalten: Die Verbindung zu {_platform(channel)} („{channel.display_name}“) ist "
        "abgelaufen oder wurde widerrufen. Bitte den Kanal neu verbinden und die "
        "Veröffentlichung danach fortsetzen."
    )


# ---------- one attempt ----------


@dataclass
class Attempt:
    """What one worker needs to work on one claimed publication, outside any transaction."""

    publication_id: uuid.UUID
    channel: Channel
    connector: Connector
    account: Account
    request: PublishRequest
    due_at: datetime
    attempt_started_at: datetime | None


def tagged_link(link: str | None, utm: dict[str, str]) -> str | None:
    """The post's link with its UTM parameters (existing query parameters win)."""
    if not link or not utm:
        return link
    parts = urlsplit(link)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    merged = {**{k: v for k, v in utm.items() if v}, **query}
    return urlunsplit(parts._replace(query=urlencode(merged)))


class Publisher:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        worker_name: str,
        *,
        connector_settings: ConnectorSettings | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.name = worker_name
        self.connector_settings = connector_settings or ConnectorSettings()
        self.http = http or shared_http(self.connector_settings)
        self.box = SecretBox(keyring_from(settings))
        self.window = timedelta(minutes=settings.publish_window_minutes)
        self.lease = timedelta(seconds=settings.publish_lease_seconds)

    async def run_once(self) -> int:
        """Claim and work one batch; returns how many publications were handled."""
        handled, claimed = await self.claim()
        if claimed:
            await asyncio.gather(*(self._process_safely(pid) for pid in claimed))
        return handled

    # ----- claim -----

    async def claim(self) -> tuple[int, list[uuid.UUID]]:
        now = utc_now()
        async with self.database.session_scope() as session:
            due = or_(
                and_(col(Publication.status) == S.pending, col(Publication.next_attempt_at) <= now),
                and_(
                    col(Publication.status) == S.publishing,
                    or_(col(Publication.lease_until).is_(None), col(Publication.lease_until) < now),
                ),
            )
            statement = (
                select(Publication)
                .where(due)
                .order_by(col(Publication.next_attempt_at))
                .limit(self.settings.publish_batch_size)
            )
            if not self.database.is_sqlite:
                statement = statement.with_for_update(skip_locked=True)
            rows = list((await session.execute(statement)).scalars())
            claimed: list[uuid.UUID] = []
            for publication in rows:
                # An attempt of unknown outcome is reconciled before anything is called missed.
                if (
                    publication.attempt_started_at is None
                    and now - publication.due_at > self.window
                ):
                    await self._missed(session, publication)
                elif await active_crisis_for(
                    session, publication.organization_id, publication.clinic_id
                ):
                    await self._paused_by_crisis(session, publication)
                else:
                    publication.status = S.publishing
                    publication.locked_by = self.name
                    publication.lease_until = now + self.lease
                    session.add(publication)
                    claimed.append(publication.id)
            await session.flush()
            return len(rows), claimed

    async def _missed(self, session: AsyncSession, publication: Publication) -> None:
        await settle(
            session, publication, S.missed,
            error=missed_message(publication.due_at, self.settings.publish_window_minutes),
            error_code="missed", action="publication.missed",
        )  # fmt: skip

    async def _paused_by_crisis(self, session: AsyncSession, publication: Publication) -> None:
        await settle(
            session, publication, S.paused, error=CRISIS_MESSAGE, error_code="crisis",
            action="publication.paused", details={"reason": "crisis"},
        )  # fmt: skip

    # ----- process -----

    async def _process_safely(self, publication_id: uuid.UUID) -> None:
        try:
            await self.process(publication_id)
        except Exception:
            # The lease runs out and the next claim reconciles; nothing is published blindly.
            log.exception("publication %s: unexpected error", publication_id)

    async def process(self, publication_id: uuid.UUID) -> None:
        attempt = await self._load(publication_id)
        if attempt is None:
            return
        if attempt.attempt_started_at is not None:
            if not await self._reconcile(attempt):
                return
        refreshed = False
        while True:
            if not await self._arm(attempt):
                return
            try:
                result = await attempt.connector.publish(attempt.account, attempt.request)
            except AuthExpired as exc:
                if exc.refreshable and not refreshed and await self._refresh(attempt):
                    refreshed = True
                    continue
                await self._auth_lost(attempt, outcome_unknown=False)
                return
            except DuplicatePost as exc:
                await self._duplicate(attempt, exc)
                return
            except ConnectorError as exc:
                await self._failed_call(attempt, exc)
                return
            except Exception as exc:
                # Not a contract error: the call may have gone out, so treat it as unknown.
                log.exception("publication %s: connector raised %s", publication_id, type(exc))
                await self._failed_call(
                    attempt, TransientError(type(exc).__name__, outcome_unknown=True)
                )
                return
            await self._published(attempt, result)
            return

    async def _load(self, publication_id: uuid.UUID) -> Attempt | None:
        async with self.database.session_scope() as session:
            publication = await self._own(session, publication_id)
            if publication is None:
                return None
            post = await session.get(Post, publication.post_id)
            channel = await session.get(Channel, publication.channel_id)
            assert post is not None  # foreign keys
            assert channel is not None
            if post.status in (PostStatus.cancelled, PostStatus.rejected, PostStatus.taken_down):
                await settle(
                    session, publication, S.failed, error_code="post_withdrawn",
                    error="Nicht veröffentlicht: Der Beitrag wurde zurückgezogen.",
                    action="publication.failed",
                )  # fmt: skip
                return None
            if channel.status is not ChannelStatus.connected:
                await settle(
                    session, publication, S.paused, error=reconnect_message(channel),
                    error_code="channel_" + channel.status.value, action="publication.paused",
                    details={"reason": "channel"},
                )  # fmt: skip
                return None
            media = await self._media(session, post, channel)
            if media is None:
                await settle(
                    session, publication, S.failed, error_code="media_missing",
                    error="Nicht veröffentlicht: Ein Bild des Beitrags ist nicht mehr "
                    "gespeichert. Bitte das Bild neu hochladen und den Beitrag neu einplanen.",
                    action="publication.failed",
                )  # fmt: skip
                return None
            try:
                connector = get_connector(channel.platform, self.connector_settings, self.http)
            except UnsupportedPlatform:
                await settle(
                    session, publication, S.failed, error_code="platform_unsupported",
                    error=f"Nicht veröffentlicht: {_platform(channel)} ist noch nicht angebunden.",
                    action="publication.failed",
                )  # fmt: skip
                return None
            try:
                account = await account_for(session, self.box, channel)
            except (SecretError, ValueError):
                await mark_needs_reconnect(
                    session, channel, "Die gespeicherten Zugangsdaten sind nicht lesbar."
                )
                await settle(
                    session, publication, S.paused, error=reconnect_message(channel),
                    error_code="credentials", action="publication.paused",
                    details={"reason": "credentials"},
                )  # fmt: skip
                return None
            variant = (
                await session.execute(
                    select(PostVariant).where(
                        col(PostVariant.post_id) == post.id,
                        col(PostVariant.channel_id) == channel.id,
                    )
                )
            ).scalar_one_or_none()
            request = PublishRequest(
                publication_id=str(publication.id),
                text=(variant.text_override if variant and variant.text_override else None)
                or post.base_text,
                link=tagged_link(post.link_url, post.utm),
                language=post.language,
                options=dict(variant.options) if variant else {},
                media=media,
            )
            return Attempt(
                publication.id, channel, connector, account, request,
                publication.due_at, publication.attempt_started_at,
            )  # fmt: skip

    async def _media(
        self, session: AsyncSession, post: Post, channel: Channel
    ) -> tuple[MediaItem, ...] | None:
        """The post's images in order with alt texts; None when a stored file is missing.

        Platforms that pull by URL (Meta) get a signed public URL valid for about an hour;
        the others get the bytes (we never fetch a URL for them, SEC-17)."""
        rows = (
            await session.execute(
                select(PostMedia, MediaAsset)
                .join(MediaAsset, col(MediaAsset.id) == col(PostMedia.media_id))
                .where(col(PostMedia.post_id) == post.id)
                .order_by(col(PostMedia.position))
            )
        ).all()
        if not rows:
            return ()
        secret = self.settings.signing_key()
        now = utc_now()
        items = []
        for pm, asset in rows:
            content = None
            try:
                if channel.platform not in PULLS_BY_URL:
                    content = await asyncio.to_thread(
                        media_storage.read, self.settings, asset.storage_key
                    )
                elif not media_storage.path_for(self.settings, asset.storage_key).is_file():
                    return None
            except media_storage.MediaMissing:
                return None
            items.append(
                MediaItem(
                    kind="gif" if asset.content_type == "image/gif" else "image",
                    url=signed_url(self.settings.base_url, secret, asset.id, now),
                    mime=asset.content_type,
                    size_bytes=asset.size_bytes,
                    alt_text=pm.alt_text or None,
                    content=content,
                )
            )
        return tuple(items)

    async def _own(
        self, session: AsyncSession, publication_id: uuid.UUID, *, lock: bool = False
    ) -> Publication | None:
        """The publication if it is still ``publishing`` under this worker's lease."""
        statement = select(Publication).where(col(Publication.id) == publication_id)
        if lock and not self.database.is_sqlite:
            statement = statement.with_for_update()
        publication = (await session.execute(statement)).scalar_one_or_none()
        if (
            publication is None
            or publication.status is not S.publishing
            or publication.locked_by != self.name
        ):
            return None
        return publication

    async def _reconcile(self, attempt: Attempt) -> bool:
        """Find out whether the earlier attempt created the post. True: it did not, publish."""
        since = attempt.attempt_started_at
        assert since is not None
        try:
            found = await attempt.connector.lookup(attempt.account, attempt.request, since)
        except AuthExpired:
            await self._auth_lost(attempt, outcome_unknown=True)
            return False
        except (RateLimited, TransientError) as exc:
            if utc_now() - attempt.due_at > self.window:
                await self._unconfirmed(attempt, "lookup_failed")
            else:
                await self._retry_later(attempt, exc, outcome_unknown=True)
            return False
        except (ConnectorError, NotImplementedError):
            await self._unconfirmed(attempt, "lookup_impossible")
            return False
        if found is not None:
            await self._published(attempt, found, reconciled=True)
            return False
        if utc_now() - attempt.due_at > self.window:
            # Checked: it is not there, and it is too late to publish now.
            async with self.database.session_scope() as session:
                publication = await self._own(session, attempt.publication_id)
                if publication is not None:
                    publication.attempt_started_at = None
                    await self._missed(session, publication)
            return False
        return True

    async def _arm(self, attempt: Attempt) -> bool:
        """Commit the intent right before the visible call; False when we must not call."""
        async with self.database.session_scope() as session:
            publication = await self._own(session, attempt.publication_id, lock=True)
            if publication is None:
                return False
            if await active_crisis_for(session, publication.organization_id, publication.clinic_id):
                publication.attempt_started_at = None  # reconciled or never started
                await self._paused_by_crisis(session, publication)
                return False
            now = utc_now()
            publication.attempt_started_at = now
            publication.attempts += 1
            publication.lease_until = now + self.lease
            session.add(publication)
            attempt.attempt_started_at = now
            return True

    async def _published(
        self, attempt: Attempt, result: PublishResult, *, reconciled: bool = False
    ) -> None:
        if not result.platform_post_id:
            # REL-7: no id, no success.
            await self._failed_call(
                attempt, TransientError("publish returned no id", outcome_unknown=True)
            )
            return
        async with self.database.session_scope() as session:
            publication = await session.get(Publication, attempt.publication_id)
            if publication is None or publication.status in (S.published, S.deleted):
                return
            # Recorded even if our lease ran out: the post exists, that is the truth.
            publication.platform_post_id = result.platform_post_id
            publication.platform_url = result.url
            publication.published_at = result.published_at or utc_now()
            publication.next_attempt_at = publication.published_at
            await settle(
                session, publication, S.published, action="publication.published",
                details={"platform": attempt.channel.platform.value, "reconciled": reconciled,
                         "attempts": publication.attempts},
            )  # fmt: skip

    async def _unconfirmed(self, attempt: Attempt, code: str) -> None:
        async with self.database.session_scope() as session:
            publication = await self._own(session, attempt.publication_id)
            if publication is not None:
                await settle(
                    session, publication, S.unconfirmed,
                    error=unconfirmed_message(attempt.channel, publication.attempt_started_at),
                    error_code=code, action="publication.unconfirmed",
                )  # fmt: skip

    async def _duplicate(self, attempt: Attempt, exc: DuplicatePost) -> None:
        """The platform says it exists already: take its id, or look it up; never fail."""
        if exc.existing_id:
            await self._published(
                attempt, PublishResult(platform_post_id=exc.existing_id), reconciled=True
            )
            return
        since = attempt.attempt_started_at or utc_now()
        try:
            found = await attempt.connector.lookup(attempt.account, attempt.request, since)
        except (ConnectorError, NotImplementedError):
            found = None
        if found is not None:
            await self._published(attempt, found, reconciled=True)
        else:
            await self._unconfirmed(attempt, "duplicate_unresolved")

    async def _retry_later(
        self, attempt: Attempt, exc: RateLimited | TransientError, *, outcome_unknown: bool
    ) -> None:
        async with self.database.session_scope() as session:
            publication = await self._own(session, attempt.publication_id)
            if publication is None:
                return
            now = utc_now()
            platform = _platform(attempt.channel)
            if isinstance(exc, RateLimited):
                delay = exc.retry_after
                code = "rate_limited"
            else:
                delay = exc.retry_after or backoff(max(1, publication.attempts))
                code = "outcome_unknown" if outcome_unknown else "transient"
            next_at = now + timedelta(seconds=delay)
            if not outcome_unknown:
                publication.attempt_started_at = None
            if (
                isinstance(exc, TransientError)
                and not outcome_unknown
                and publication.attempts >= self.settings.publish_max_attempts
            ):
                await settle(
                    session, publication, S.failed, error_code="transient_exhausted",
                    error=f"Nicht veröffentlicht: {platform} war nach {publication.attempts} "
                    "Versuchen nicht erreichbar. Bitte später erneut anstoßen.",
                    action="publication.failed",
                )  # fmt: skip
                return
            if isinstance(exc, RateLimited):
                message = (
                    f"Ratenlimit von {platform} erreicht – nächster Versuch um {_fmt(next_at)}."
                )
                # Stop calling the same account until the limit resets (platforms.md §1.2).
                await session.execute(
                    update(Publication)
                    .where(
                        col(Publication.channel_id) == publication.channel_id,
                        col(Publication.status) == S.pending,
                        col(Publication.next_attempt_at) < next_at,
                    )
                    .values(next_attempt_at=next_at)
                )
            elif outcome_unknown:
                message = (
                    f"{platform} hat nicht eindeutig geantwortet – vor einem neuen Versuch wird "
                    f"geprüft, ob der Beitrag schon erschienen ist ({_fmt(next_at)})."
                )
            else:
                message = (
                    f"{platform} ist vorübergehend gestört – nächster Versuch um {_fmt(next_at)}."
                )
            publication.status = S.pending
            publication.next_attempt_at = next_at
            publication.locked_by = None
            publication.lease_until = None
            publication.last_error = message
            publication.error_code = code
            session.add(publication)

    async def _failed_call(self, attempt: Attempt, exc: ConnectorError) -> None:
        if isinstance(exc, RateLimited):
            await self._retry_later(attempt, exc, outcome_unknown=False)
        elif isinstance(exc, TransientError):
            await self._retry_later(attempt, exc, outcome_unknown=exc.outcome_unknown)
        elif isinstance(exc, AuthExpired):
            await self._auth_lost(attempt, outcome_unknown=False)
        else:
            message = exc.user_message if isinstance(exc, PermanentError) else None
            async with self.database.session_scope() as session:
                publication = await self._own(session, attempt.publication_id)
                if publication is None:
                    return
                publication.attempt_started_at = None
                await settle(
                    session, publication, S.failed,
                    error=f"Von {_platform(attempt.channel)} abgelehnt: "
                    f"{message or 'unbekannter Fehler'}",
                    error_code=(exc.platform_code or "permanent")[:64],
                    action="publication.failed",
                )  # fmt: skip

    async def _refresh(self, attempt: Attempt) -> bool:
        try:
            credentials = await attempt.connector.refresh_token(attempt.account)
        except ConnectorError:
            return False
        async with self.database.session_scope() as session:
            channel = await session.get(Channel, attempt.channel.id)
            if channel is None:
                return False
            await store_credentials(session, self.box, channel, credentials)
        attempt.account = replace(attempt.account, credentials=credentials)
        return True

    async def _auth_lost(self, attempt: Attempt, *, outcome_unknown: bool) -> None:
        async with self.database.session_scope() as session:
            publication = await self._own(session, attempt.publication_id, lock=True)
            channel = await session.get(Channel, attempt.channel.id)
            if channel is not None:
                await mark_needs_reconnect(
                    session, channel, "Die Plattform hat den Zugang abgelehnt (Token abgelaufen "
                    "oder widerrufen). Bitte neu verbinden.",
                )  # fmt: skip
            if publication is None:
                return
            if not outcome_unknown:
                publication.attempt_started_at = None  # refused: nothing was created
            await settle(
                session, publication, S.paused, error=reconnect_message(attempt.channel),
                error_code="auth_expired", action="publication.paused",
                details={"reason": "auth_expired"},
            )  # fmt: skip
