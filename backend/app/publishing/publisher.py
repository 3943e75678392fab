"""The publisher: exactly one platform post per publication (platforms.md §1.1, REL-1/2/3/10).

One iteration works one batch in three kinds of transaction, however large the batch:

1. **claim** (one transaction): due publications are leased (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL; SQLite serialises writers). Too late (more than ``publish_window_minutes``
   after ``due_at``) → ``missed``, never late; in an active crisis (checked once per clinic)
   → ``paused``; a usage block on the app or account (``throttle``) → deferred, not an
   attempt; an account or platform at its concurrency cap → left for later.
2. **prepare** (one transaction): the leased rows are locked and re-checked (still ours), posts,
   channels, variants, media and credentials loaded in bulk, the compliance re-check run on facts
   loaded once for the batch, then each publication is **armed**: crisis re-read after the row
   lock (FEAT-6), usage blocks and caps across workers, and ``attempt_started_at`` stored — only after
   this commit is the one visible call made, outside any transaction, concurrently up to
   ``publish_concurrency``. An earlier attempt of unknown outcome (``attempt_started_at`` set,
   no platform id) is reconciled first with ``Connector.lookup`` (found → ``published``;
   absent → armed on its own and published; lookup impossible → ``unconfirmed``).
3. **settle** (:class:`Settler`): results are recorded in batches as they arrive, with the
   usage the platform reported in its headers.

Claim and crisis pause lock the same rows, and the arm step re-reads crisis and status after
taking the row lock, so nothing claimed after a pause commit is published (FEAT-6).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.channels.models import Channel, ChannelStatus
from app.channels.service import account_for, mark_needs_reconnect, store_credentials
from app.compliance.service import PublishFacts, blocked_message, compliance_service
from app.config import Settings
from app.connectors.base import (
    Account,
    AuthExpired,
    Connector,
    ConnectorError,
    Credentials,
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
from app.connectors.usage import UsageReport, collect_usage
from app.crisis.scope import CrisisCheck
from app.kit.db import Database
from app.kit.time import utc_now
from app.media import renditions
from app.media import storage as media_storage
from app.media.signing import signed_url
from app.posts.models import MediaAsset, Post, PostMedia, PostStatus, PostVariant
from app.posts.validation import tagged_link
from app.publishing import throttle
from app.publishing.models import Publication, PublicationStatus
from app.publishing.service import refresh_post_statuses, settle
from app.vault.service import SecretBox, SecretError, keyring_from
from app.worker.runner import backoff

log = logging.getLogger("klinikfunk.publisher")
S = PublicationStatus
PULLS_BY_URL = frozenset({Platform.FACEBOOK, Platform.INSTAGRAM})
"""Platforms that download attached media themselves from a URL (platforms.md §3.1)."""
JPEG_ONLY = frozenset({Platform.INSTAGRAM})
"""Platforms that take images only as JPEG (platforms.md: Instagram)."""

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


# ---------- decrypted credentials, cached per worker process for a short time ----------

_credentials: dict[uuid.UUID, tuple[str | None, str | None, float, str, str | None]] = {}


def forget_credentials(channel_id: uuid.UUID) -> None:
    _credentials.pop(channel_id, None)


async def account_of(
    session: AsyncSession, box: SecretBox, channel: Channel, ttl_seconds: float
) -> Account:
    """The channel's Account; the decrypted tokens are reused for ``ttl_seconds`` as long as
    the sealed tokens in the row are the same (a reconnect or refresh seals new ones)."""
    now = time.monotonic()
    hit = _credentials.get(channel.id)
    if (
        hit is not None
        and hit[2] > now
        and hit[0] == channel.access_token_sealed
        and hit[1] == channel.refresh_token_sealed
    ):
        return Account(
            platform=channel.platform,
            platform_account_id=channel.platform_account_id,
            credentials=Credentials(
                access_token=hit[3], refresh_token=hit[4], expires_at=channel.token_expires_at
            ),
            handle=channel.handle,
            instance_url=channel.instance_url,
        )
    account = await account_for(session, box, channel)
    if ttl_seconds > 0:
        _credentials[channel.id] = (
            channel.access_token_sealed, channel.refresh_token_sealed, now + ttl_seconds,
            account.credentials.access_token, account.credentials.refresh_token,
        )  # fmt: skip
    return account


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
    armed: bool = False
    usage: list[UsageReport] = field(default_factory=list)


Record = Callable[..., Awaitable[None]]
"""``record(session, publication_or_None, attempt, *args)``: one result, in the settle
transaction, with the publication row loaded (and locked on PostgreSQL)."""


class Settler:
    """Records call results in batches: results wait up to ``delay`` (or until ``size`` have
    arrived) and go into one transaction together. A batch that
    fails is retried one result at a time, so one bad result never loses the others (and an
    unrecorded result is safe: the lease runs out and the next claim reconciles)."""

    def __init__(self, publisher: Publisher, delay: float = 0.25, size: int = 25) -> None:
        self.publisher = publisher
        self.delay = delay
        self.size = size
        self.full = asyncio.Event()
        self.items: list[tuple[Attempt, Record, tuple[Any, ...]]] = []
        self.wake = asyncio.Event()
        self.closed = False
        self.task = asyncio.create_task(self._run())

    def add(self, attempt: Attempt, record: Record, *args: Any) -> None:
        self.items.append((attempt, record, args))
        self.wake.set()
        if len(self.items) >= self.size:
            self.full.set()

    async def close(self) -> None:
        self.closed = True
        self.wake.set()
        self.full.set()
        await self.task

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            if not self.closed:
                try:
                    await asyncio.wait_for(self.full.wait(), self.delay)
                except TimeoutError:
                    pass
            self.full.clear()
            items, self.items = self.items, []
            if items:
                await self._write(items)
            if self.closed and not self.items:
                return

    async def _write(self, items: list[tuple[Attempt, Record, tuple[Any, ...]]]) -> None:
        try:
            await self.publisher.settle_results(items)
            return
        except Exception:
            if len(items) == 1:
                log.exception("publication %s: result not recorded", items[0][0].publication_id)
                return
            log.exception("recording %d results failed; retrying one by one", len(items))
        for item in items:
            try:
                await self.publisher.settle_results([item])
            except Exception:
                log.exception("publication %s: result not recorded", item[0].publication_id)


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
            await self.process_batch(claimed)
        return handled

    # ----- claim: one transaction per batch -----

    async def claim(self) -> tuple[int, list[uuid.UUID]]:
        """Lease up to ``publish_batch_size`` due publications. Decided here, once per batch:
        missed (too late), paused (crisis, checked once per clinic), deferred (a usage block
        on the app or account: waits, not an attempt), and left for later (the account's or
        platform's concurrency cap is taken, counting every worker's leased publications)."""
        now = utc_now()
        batch = self.settings.publish_batch_size
        async with self.database.session_scope() as session:
            due = or_(
                and_(col(Publication.status) == S.pending, col(Publication.next_attempt_at) <= now),
                and_(
                    col(Publication.status) == S.publishing,
                    or_(col(Publication.lease_until).is_(None), col(Publication.lease_until) < now),
                ),
            )
            # More candidates than the batch, so one busy account cannot hide the others.
            statement = (
                select(Publication, Channel)
                .join(Channel, col(Channel.id) == col(Publication.channel_id))
                .where(due)
                .order_by(col(Publication.next_attempt_at))
                .limit(batch * 2)
            )
            if not self.database.is_sqlite:
                statement = statement.with_for_update(of=Publication, skip_locked=True)
            rows = [(r[0], r[1]) for r in await session.execute(statement)]
            if not rows:
                return 0, []
            blocks = await throttle.blocked(session, now)
            slots = throttle.Slots(
                self.settings, await throttle.busy(session, now, armed_only=False)
            )
            crisis = CrisisCheck()
            claimed: list[uuid.UUID] = []
            handled = 0
            settled: set[uuid.UUID] = set()
            for publication, channel in rows:
                if len(claimed) >= batch:
                    break
                # An attempt of unknown outcome is reconciled before anything is called missed.
                if (
                    publication.attempt_started_at is None
                    and now - publication.due_at > self.window
                ):
                    await self._missed(session, publication, batch=True)
                    settled.add(publication.post_id)
                    handled += 1
                    continue
                if await crisis.holds(session, publication):
                    await self._paused_by_crisis(session, publication, batch=True)
                    settled.add(publication.post_id)
                    handled += 1
                    continue
                block = throttle.first_block(
                    blocks, throttle.usage_scopes(channel.platform, channel.platform_account_id)
                )
                if block is not None:
                    self._defer(publication, channel, block)
                    handled += 1
                    continue
                if not slots.take(channel.platform, channel.platform_account_id):
                    continue  # stays due; claimed when a slot is free
                publication.status = S.publishing
                publication.locked_by = self.name
                publication.lease_until = now + self.lease
                session.add(publication)
                claimed.append(publication.id)
                handled += 1
            await refresh_post_statuses(session, settled)
            return handled, claimed

    def _defer(self, publication: Publication, channel: Channel, block: throttle.Block) -> None:
        """Usage at or above the threshold: wait until the platform's window regains. Not a
        failure and not an attempt; an attempt of unknown outcome stays recorded."""
        publication.status = S.pending
        publication.next_attempt_at = max(publication.next_attempt_at, block.until)
        publication.locked_by = None
        publication.lease_until = None
        publication.error_code = "throttled"
        publication.last_error = (
            f"{_platform(channel)} meldet {block.percent:.0f} % Auslastung – damit das Limit nicht "
            f"erreicht wird, geht der Beitrag um {_fmt(publication.next_attempt_at)} hinaus."
        )

    async def _missed(
        self, session: AsyncSession, publication: Publication, *, batch: bool = False
    ) -> None:
        await settle(
            session, publication, S.missed,
            error=missed_message(publication.due_at, self.settings.publish_window_minutes),
            error_code="missed", action="publication.missed", batch=batch,
        )  # fmt: skip

    async def _paused_by_crisis(
        self, session: AsyncSession, publication: Publication, *, batch: bool = False
    ) -> None:
        await settle(
            session, publication, S.paused, error=CRISIS_MESSAGE, error_code="crisis",
            action="publication.paused", details={"reason": "crisis"}, batch=batch,
        )  # fmt: skip

    # ----- process: load and arm in one transaction, call concurrently, settle in batches -----

    async def process(self, publication_id: uuid.UUID) -> None:
        """Work one claimed publication (the batch path with a batch of one)."""
        await self.process_batch([publication_id])

    async def process_batch(self, publication_ids: list[uuid.UUID]) -> None:
        settler = Settler(self)
        try:
            attempts = await self._prepare(publication_ids)
            if attempts:
                calls = asyncio.Semaphore(self.settings.publish_concurrency)
                await asyncio.gather(*(self._work_safely(a, settler, calls) for a in attempts))
        finally:
            await settler.close()

    async def _work_safely(
        self, attempt: Attempt, settler: Settler, calls: asyncio.Semaphore
    ) -> None:
        try:
            await self._work(attempt, settler, calls)
        except Exception:
            # The lease runs out and the next claim reconciles; nothing is published blindly.
            log.exception("publication %s: unexpected error", attempt.publication_id)

    async def _work(self, attempt: Attempt, settler: Settler, calls: asyncio.Semaphore) -> None:
        if not attempt.armed:
            # An earlier attempt of unknown outcome: find out first, then arm on its own.
            if not await self._reconcile(attempt, settler):
                return
            if not await self._arm_one(attempt):
                return
        refreshed = False
        while True:
            async with calls:
                outcome = await self._call(attempt, attempt.connector.publish)
            if isinstance(outcome, AuthExpired):
                if outcome.refreshable and not refreshed and await self._refresh(attempt):
                    refreshed = True
                    if not await self._arm_one(attempt):
                        return
                    continue
                settler.add(attempt, self._record_auth_lost, False)
            elif isinstance(outcome, DuplicatePost):
                await self._duplicate(attempt, outcome, settler)
            elif isinstance(outcome, ConnectorError):
                settler.add(attempt, self._record_failed_call, outcome)
            else:
                settler.add(attempt, self._record_published, outcome, False)
            return

    async def _call(
        self, attempt: Attempt, fn: Callable[[Account, PublishRequest], Awaitable[PublishResult]]
    ) -> PublishResult | ConnectorError:
        """The one visible call; any error comes back as a value (usage reports are kept)."""
        with collect_usage() as usage:
            try:
                return await fn(attempt.account, attempt.request)
            except ConnectorError as exc:
                return exc
            except Exception as exc:
                # Not a contract error: the call may have gone out, so treat it as unknown.
                log.exception(
                    "publication %s: connector raised %s", attempt.publication_id, type(exc)
                )
                return TransientError(type(exc).__name__, outcome_unknown=True)
            finally:
                attempt.usage.extend(usage)

    async def _prepare(self, publication_ids: list[uuid.UUID]) -> list[Attempt]:
        """One transaction for the batch: lock the rows still ours, load posts, channels,
        variants, media and credentials in bulk, settle what cannot be published (withdrawn,
        disconnected, blocked by the compliance re-check) and arm the rest (attempts of unknown
        outcome are armed after their reconciliation)."""
        async with self.database.session_scope() as session:
            statement = (
                select(Publication)
                .where(col(Publication.id).in_(publication_ids))
                .order_by(col(Publication.id))
            )
            if not self.database.is_sqlite:
                statement = statement.with_for_update()
            publications = [
                p for p in (await session.execute(statement)).scalars() if self._ours(p)
            ]
            if not publications:
                return []
            post_ids = {p.post_id for p in publications}
            posts = await _by_id(session, Post, post_ids)
            channels = await _by_id(session, Channel, {p.channel_id for p in publications})
            variants = {
                (v.post_id, v.channel_id): v
                for v in (
                    await session.execute(
                        select(PostVariant).where(col(PostVariant.post_id).in_(post_ids))
                    )
                ).scalars()
            }
            media: dict[uuid.UUID, list[tuple[PostMedia, MediaAsset]]] = {}
            for pm, asset in await session.execute(
                select(PostMedia, MediaAsset)
                .join(MediaAsset, col(MediaAsset.id) == col(PostMedia.media_id))
                .where(col(PostMedia.post_id).in_(post_ids))
                .order_by(col(PostMedia.post_id), col(PostMedia.position))
            ):
                media.setdefault(pm.post_id, []).append((pm, asset))
            facts = await compliance_service.publish_facts(session, list(posts.values()))
            fresh: list[tuple[Attempt, Publication]] = []
            unknown: list[Attempt] = []
            for publication in publications:
                post, channel = posts[publication.post_id], channels[publication.channel_id]
                attempt = await self._attempt_for(
                    session, publication, post, channel,
                    variants.get((post.id, channel.id)), media.get(post.id, []), facts,
                )  # fmt: skip
                if attempt is None:
                    continue
                if publication.attempt_started_at is None:
                    fresh.append((attempt, publication))
                else:
                    unknown.append(attempt)
            armed = await self._arm_in(session, fresh)
            await refresh_post_statuses(
                session, {p.post_id for p in publications if p.status is not S.publishing}
            )
            return armed + unknown

    async def _attempt_for(
        self,
        session: AsyncSession,
        publication: Publication,
        post: Post,
        channel: Channel,
        variant: PostVariant | None,
        media_rows: list[tuple[PostMedia, MediaAsset]],
        facts: PublishFacts,
    ) -> Attempt | None:
        """The attempt for one loaded publication, or None after settling why it cannot go."""
        if post.status in (PostStatus.cancelled, PostStatus.rejected, PostStatus.taken_down):
            await settle(
                session, publication, S.failed, error_code="post_withdrawn",
                error="Nicht veröffentlicht: Der Beitrag wurde zurückgezogen.",
                action="publication.failed", batch=True,
            )  # fmt: skip
            return None
        if channel.status is not ChannelStatus.connected:
            await settle(
                session, publication, S.paused, error=reconnect_message(channel),
                error_code="channel_" + channel.status.value, action="publication.paused",
                details={"reason": "channel"}, batch=True,
            )  # fmt: skip
            return None
        # Re-checked right before publishing: a consent may have expired since approval.
        blocks = compliance_service.publish_blockers(
            facts, post, channel.id,
            text_override=variant.text_override if variant else None,
            media=[(pm.media_id, pm.alt_text) for pm, _asset in media_rows],
        )  # fmt: skip
        if blocks:
            await settle(
                session, publication, S.failed, error=blocked_message(blocks),
                error_code="compliance_blocked", action="publication.failed",
                details={"reason": "compliance", "rules": sorted({f.rule for f in blocks})},
                batch=True,
            )  # fmt: skip
            return None
        media = await self._media(media_rows, channel)
        if media is None:
            await settle(
                session, publication, S.failed, error_code="media_missing",
                error="Nicht veröffentlicht: Ein Bild des Beitrags ist nicht mehr "
                "gespeichert. Bitte das Bild neu hochladen und den Beitrag neu einplanen.",
                action="publication.failed", batch=True,
            )  # fmt: skip
            return None
        try:
            connector = get_connector(channel.platform, self.connector_settings, self.http)
        except UnsupportedPlatform:
            await settle(
                session, publication, S.failed, error_code="platform_unsupported",
                error=f"Nicht veröffentlicht: {_platform(channel)} ist noch nicht angebunden.",
                action="publication.failed", batch=True,
            )  # fmt: skip
            return None
        try:
            account = await account_of(
                session, self.box, channel, self.settings.publish_credentials_ttl_seconds
            )
        except (SecretError, ValueError):
            await mark_needs_reconnect(
                session, channel, "Die gespeicherten Zugangsdaten sind nicht lesbar."
            )
            await settle(
                session, publication, S.paused, error=reconnect_message(channel),
                error_code="credentials", action="publication.paused",
                details={"reason": "credentials"}, batch=True,
            )  # fmt: skip
            return None
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
        self, rows: list[tuple[PostMedia, MediaAsset]], channel: Channel
    ) -> tuple[MediaItem, ...] | None:
        """The post's images in order with alt texts; None when a stored file is missing.

        Platforms that pull by URL (Meta) get a signed public URL valid for about an hour;
        the others get the bytes (we never fetch a URL for them, SEC-17). Instagram takes only
        JPEG: PNG and WebP go out as a JPEG rendition (derived once, stored beside the file)."""
        if not rows:
            return ()
        secret = self.settings.signing_key()
        now = utc_now()
        items = []
        for pm, asset in rows:
            content = None
            mime, size, rendition = asset.content_type, asset.size_bytes, None
            try:
                if channel.platform not in PULLS_BY_URL:
                    content = await asyncio.to_thread(
                        media_storage.read, self.settings, asset.storage_key
                    )
                elif channel.platform in JPEG_ONLY and asset.content_type in renditions.TO_JPEG:
                    size = await asyncio.to_thread(
                        renditions.ensure_jpeg, self.settings, asset.storage_key
                    )
                    mime, rendition = "image/jpeg", "jpeg"
                elif not media_storage.path_for(self.settings, asset.storage_key).is_file():
                    return None
            except media_storage.MediaMissing:
                return None
            items.append(
                MediaItem(
                    kind="gif" if mime == "image/gif" else "image",
                    url=signed_url(
                        self.settings.base_url, secret, asset.id, now, rendition=rendition
                    ),
                    mime=mime,
                    size_bytes=size,
                    alt_text=pm.alt_text or None,
                    content=content,
                )
            )
        return tuple(items)

    def _ours(self, publication: Publication | None) -> bool:
        """Still ``publishing`` under this worker's lease."""
        return (
            publication is not None
            and publication.status is S.publishing
            and publication.locked_by == self.name
        )

    # ----- arm: the intent is committed right before the visible call -----

    async def _arm_in(
        self, session: AsyncSession, attempts: list[tuple[Attempt, Publication]]
    ) -> list[Attempt]:
        """Arm publications whose rows this transaction has locked: re-check crisis (once per
        clinic), respect usage blocks and concurrency caps (cap rows
        locked, calls in flight counted across workers), then store ``attempt_started_at``."""
        if not attempts:
            return []
        now = utc_now()
        crisis = CrisisCheck()
        ready: list[tuple[Attempt, Publication]] = []
        for attempt, publication in attempts:
            if await crisis.holds(session, publication):
                publication.attempt_started_at = None  # reconciled or never started
                await self._paused_by_crisis(session, publication, batch=True)
                continue
            ready.append((attempt, publication))
        if not ready:
            return []
        scopes: set[str] = set()
        for attempt, _ in ready:
            platform, account_id = attempt.channel.platform, attempt.channel.platform_account_id
            scopes |= {
                throttle.platform_scope(platform),
                throttle.account_scope(platform, account_id),
            }
        await throttle.lock(session, scopes, now)
        blocks = await throttle.blocked(session, now)
        slots = throttle.Slots(self.settings, await throttle.busy(session, now, armed_only=True))
        armed: list[Attempt] = []
        for attempt, publication in ready:
            platform, account_id = attempt.channel.platform, attempt.channel.platform_account_id
            block = throttle.first_block(blocks, throttle.usage_scopes(platform, account_id))
            if block is not None:
                publication.attempt_started_at = None  # reconciled or never started
                self._defer(publication, attempt.channel, block)
                continue
            if not slots.take(platform, account_id):
                # Another worker's calls fill the cap: back to the queue, due now, no attempt.
                publication.attempt_started_at = None
                publication.status = S.pending
                publication.locked_by = None
                publication.lease_until = None
                continue
            publication.attempt_started_at = now
            publication.attempts += 1
            publication.lease_until = now + self.lease
            session.add(publication)
            attempt.attempt_started_at = now
            attempt.armed = True
            armed.append(attempt)
        return armed

    async def _arm_one(self, attempt: Attempt) -> bool:
        """Arm one publication in its own transaction (after a reconciliation or a refresh)."""
        async with self.database.session_scope() as session:
            statement = select(Publication).where(col(Publication.id) == attempt.publication_id)
            if not self.database.is_sqlite:
                statement = statement.with_for_update()
            publication = (await session.execute(statement)).scalar_one_or_none()
            if publication is None or not self._ours(publication):
                return False
            armed = await self._arm_in(session, [(attempt, publication)])
            if publication.status is not S.publishing:
                await refresh_post_statuses(session, {publication.post_id})
            return bool(armed)

    # ----- reconcile, duplicates, refresh -----

    async def _reconcile(self, attempt: Attempt, settler: Settler) -> bool:
        """Find out whether the earlier attempt created the post. True: it did not, publish."""
        since = attempt.attempt_started_at
        assert since is not None

        async def lookup(account: Account, request: PublishRequest) -> Any:
            return await attempt.connector.lookup(account, request, since)

        try:
            found = await self._call_raising(attempt, lookup)
        except AuthExpired:
            settler.add(attempt, self._record_auth_lost, True)
            return False
        except (RateLimited, TransientError) as exc:
            if utc_now() - attempt.due_at > self.window:
                settler.add(attempt, self._record_unconfirmed, "lookup_failed")
            else:
                settler.add(attempt, self._record_retry_later, exc, True)
            return False
        except (ConnectorError, NotImplementedError):
            settler.add(attempt, self._record_unconfirmed, "lookup_impossible")
            return False
        if found is not None:
            settler.add(attempt, self._record_published, found, True)
            return False
        if utc_now() - attempt.due_at > self.window:
            settler.add(attempt, self._record_missed_after_check)
            return False
        return True

    async def _call_raising(
        self, attempt: Attempt, fn: Callable[[Account, PublishRequest], Awaitable[Any]]
    ) -> Any:
        with collect_usage() as usage:
            try:
                return await fn(attempt.account, attempt.request)
            finally:
                attempt.usage.extend(usage)

    async def _duplicate(self, attempt: Attempt, exc: DuplicatePost, settler: Settler) -> None:
        """The platform says it exists already: take its id, or look it up; never fail."""
        if exc.existing_id:
            settler.add(
                attempt, self._record_published,
                PublishResult(platform_post_id=exc.existing_id), True,
            )  # fmt: skip
            return
        since = attempt.attempt_started_at or utc_now()

        async def lookup(account: Account, request: PublishRequest) -> Any:
            return await attempt.connector.lookup(account, request, since)

        try:
            found = await self._call_raising(attempt, lookup)
        except (ConnectorError, NotImplementedError):
            found = None
        if found is not None:
            settler.add(attempt, self._record_published, found, True)
        else:
            settler.add(attempt, self._record_unconfirmed, "duplicate_unresolved")

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
        forget_credentials(attempt.channel.id)
        attempt.account = replace(attempt.account, credentials=credentials)
        return True

    # ----- settle: results recorded in batches -----

    async def settle_results(self, items: list[tuple[Attempt, Record, tuple[Any, ...]]]) -> None:
        """One transaction for a batch of results: the rows (locked on PostgreSQL), each
        result's record, the posts' statuses and the usage the calls reported."""
        now = utc_now()
        async with self.database.session_scope() as session:
            statement = (
                select(Publication)
                .where(col(Publication.id).in_([a.publication_id for a, _, _ in items]))
                .order_by(col(Publication.id))
            )
            if not self.database.is_sqlite:
                statement = statement.with_for_update()
            rows = {p.id: p for p in (await session.execute(statement)).scalars()}
            for attempt, record, args in items:
                await record(session, rows.get(attempt.publication_id), attempt, *args)
            await refresh_post_statuses(session, {p.post_id for p in rows.values()})
            await throttle.record_usage(session, self.settings, _usage_by_scope(items), now)

    async def _record_published(
        self,
        session: AsyncSession,
        publication: Publication | None,
        attempt: Attempt,
        result: PublishResult,
        reconciled: bool,
    ) -> None:
        if not result.platform_post_id:
            # REL-7: no id, no success.
            await self._record_failed_call(
                session, publication, attempt,
                TransientError("publish returned no id", outcome_unknown=True),
            )  # fmt: skip
            return
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
                     "attempts": publication.attempts}, batch=True,
        )  # fmt: skip

    async def _record_unconfirmed(
        self, session: AsyncSession, publication: Publication | None, attempt: Attempt, code: str
    ) -> None:
        if publication is not None and self._ours(publication):
            await settle(
                session, publication, S.unconfirmed,
                error=unconfirmed_message(attempt.channel, publication.attempt_started_at),
                error_code=code, action="publication.unconfirmed", batch=True,
            )  # fmt: skip

    async def _record_missed_after_check(
        self, session: AsyncSession, publication: Publication | None, attempt: Attempt
    ) -> None:
        """Checked: it is not there, and it is too late to publish now."""
        if publication is not None and self._ours(publication):
            publication.attempt_started_at = None
            await self._missed(session, publication, batch=True)

    async def _record_retry_later(
        self,
        session: AsyncSession,
        publication: Publication | None,
        attempt: Attempt,
        exc: RateLimited | TransientError,
        outcome_unknown: bool,
    ) -> None:
        if publication is None or not self._ours(publication):
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
                action="publication.failed", batch=True,
            )  # fmt: skip
            return
        if isinstance(exc, RateLimited):
            message = f"Ratenlimit von {platform} erreicht – nächster Versuch um {_fmt(next_at)}."
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
            message = f"{platform} ist vorübergehend gestört – nächster Versuch um {_fmt(next_at)}."
        publication.status = S.pending
        publication.next_attempt_at = next_at
        publication.locked_by = None
        publication.lease_until = None
        publication.last_error = message
        publication.error_code = code
        session.add(publication)

    async def _record_failed_call(
        self,
        session: AsyncSession,
        publication: Publication | None,
        attempt: Attempt,
        exc: ConnectorError,
    ) -> None:
        if isinstance(exc, RateLimited):
            await self._record_retry_later(session, publication, attempt, exc, False)
        elif isinstance(exc, TransientError):
            await self._record_retry_later(session, publication, attempt, exc, exc.outcome_unknown)
        elif isinstance(exc, AuthExpired):
            await self._record_auth_lost(session, publication, attempt, False)
        else:
            if publication is None or not self._ours(publication):
                return
            message = exc.user_message if isinstance(exc, PermanentError) else None
            publication.attempt_started_at = None
            await settle(
                session, publication, S.failed,
                error=f"Von {_platform(attempt.channel)} abgelehnt: "
                f"{message or 'unbekannter Fehler'}",
                error_code=(exc.platform_code or "permanent")[:64],
                action="publication.failed", batch=True,
            )  # fmt: skip

    async def _record_auth_lost(
        self,
        session: AsyncSession,
        publication: Publication | None,
        attempt: Attempt,
        outcome_unknown: bool,
    ) -> None:
        forget_credentials(attempt.channel.id)
        channel = await session.get(Channel, attempt.channel.id)
        if channel is not None:
            await mark_needs_reconnect(
                session, channel, "Die Plattform hat den Zugang abgelehnt (Token abgelaufen "
                "oder widerrufen). Bitte neu verbinden.",
            )  # fmt: skip
        if publication is None or not self._ours(publication):
            return
        if not outcome_unknown:
            publication.attempt_started_at = None  # refused: nothing was created
        await settle(
            session, publication, S.paused, error=reconnect_message(attempt.channel),
            error_code="auth_expired", action="publication.paused",
            details={"reason": "auth_expired"}, batch=True,
        )  # fmt: skip


async def _by_id(session: AsyncSession, model: Any, ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    rows = (await session.execute(select(model).where(col(model.id).in_(ids)))).scalars()
    return {r.id: r for r in rows}


def _usage_by_scope(items: list[tuple[Attempt, Record, tuple[Any, ...]]]) -> dict[str, UsageReport]:
    """The usage each scope reported in this batch (the highest figure wins)."""
    by_scope: dict[str, UsageReport] = {}
    for attempt, _, _ in items:
        platform, account_id = attempt.channel.platform, attempt.channel.platform_account_id
        for report in attempt.usage:
            if report.level == "app":
                scope = throttle.app_scope(platform)
            else:
                scope = throttle.account_scope(platform, account_id)
            seen = by_scope.get(scope)
            if seen is None or report.percent > seen.percent:
                by_scope[scope] = report
    return by_scope
