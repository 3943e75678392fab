"""Takedown: delete one live publication on its platform, exactly once (REL-11).

Like the publisher: claim the takedown row under a lease in one committed transaction (the row
lock — ``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite — makes two workers or two
deliveries of the job agree on one owner), make the one platform call outside any transaction,
record its result in a third. The first attempt calls DELETE directly. Every later attempt
(``attempts > 0``: a worker killed mid-call left the row ``deleting`` with an expired lease, or an
earlier call ended in an error whose answer may be lost) may follow a DELETE that reached the
platform, so it reconciles first with :meth:`Connector.exists`: a post that is gone is recorded
as deleted without another DELETE; only a post that is still there is deleted (one platform
DELETE per publication, REL-11). A DELETE answered 404/"gone" still counts as deleted, and when
the read is refused outright the delete goes ahead (deleting twice is harmless, leaving the
post up is not). Transient errors and rate limits retry with backoff by a follow-up job; an
expired token marks the channel ``needs_reconnect`` and the takedown waits (``blocked``) until
the channel is connected again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.channels.models import Channel, ChannelStatus
from app.channels.service import account_for, mark_needs_reconnect, store_credentials
from app.config import Settings
from app.connectors.base import (
    Account,
    AuthExpired,
    Connector,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from app.connectors.registry import UnsupportedPlatform, get_connector
from app.connectors.settings import ConnectorSettings
from app.consent.models import ConsentTakedown, TakedownStatus
from app.consent.service import enqueue_takedown, notify_post
from app.kit.db import Database
from app.kit.sql import for_update
from app.kit.time import utc_now
from app.notifications.models import NotificationKind
from app.posts.models import Post, PostStatus
from app.posts.states import can_transition
from app.publishing.models import Publication, PublicationStatus
from app.publishing.publisher import PLATFORM_NAMES, shared_http
from app.vault.service import SecretBox, SecretError, keyring_from
from app.worker.runner import backoff

log = logging.getLogger("klinikfunk.takedown")
T = TakedownStatus
P = PublicationStatus
MAX_TRANSIENT_ATTEMPTS = 8
IN_FLIGHT_RECHECK = timedelta(seconds=30)
STILL_LIVE = frozenset({P.published, P.publishing, P.unconfirmed, P.deleting})


class TakedownBusy(Exception):
    """Another worker holds the takedown's lease; the job runs again later."""


@dataclass
class Call:
    takedown_id: uuid.UUID
    publication_id: uuid.UUID
    channel: Channel
    connector: Connector
    account: Account
    platform_post_id: str
    reconcile: bool = False
    """An earlier attempt may have deleted the post: read it before deleting again."""


def _platform(channel: Channel) -> str:
    return PLATFORM_NAMES.get(channel.platform.value, channel.platform.value)


class Takedowns:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        owner: str,
        *,
        connector_settings: ConnectorSettings | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.owner = owner[:100]
        self.connector_settings = connector_settings or ConnectorSettings()
        self.http = http or shared_http(self.connector_settings)
        self.box = SecretBox(keyring_from(settings))
        self.lease = timedelta(seconds=settings.publish_lease_seconds)

    async def run(self, takedown_id: uuid.UUID) -> None:
        call = await self._claim(takedown_id)
        if call is None:
            return
        refreshed = False
        while True:
            gone = False
            try:
                if call.reconcile:
                    gone = await self._gone(call)
                else:
                    await call.connector.delete(call.account, call.platform_post_id)
            except AuthExpired as exc:
                if exc.refreshable and not refreshed and await self._refresh(call):
                    refreshed = True
                    continue
                await self._blocked(call)
                return
            except (RateLimited, TransientError) as exc:
                await self._retry(call, exc)
                return
            except ConnectorError as exc:
                await self._refused(call, exc)
                return
            except Exception as exc:
                # Not a contract error: reading or deleting again is harmless, so retry like a 5xx.
                log.exception("takedown %s: connector raised %s", takedown_id, type(exc))
                await self._retry(call, TransientError(type(exc).__name__))
                return
            if call.reconcile:
                if gone:  # an earlier attempt's DELETE reached the platform
                    await self._deleted(call, reconciled=True)
                    return
                call.reconcile = False
                if not await self._renew(call):
                    return  # another worker owns the takedown now
                continue
            await self._deleted(call)
            return

    async def _gone(self, call: Call) -> bool:
        """Whether the post is no longer on the platform. A read the platform refuses (missing
        read permission, an unexpected answer) cannot tell: then the post counts as present and
        is deleted (again), which is harmless."""
        try:
            return not await call.connector.exists(call.account, call.platform_post_id)
        except PermanentError as exc:
            log.warning(
                "takedown %s: cannot read %s before deleting (%s); deleting anyway",
                call.takedown_id, _platform(call.channel), exc.platform_code or exc.http_status,
            )  # fmt: skip
            return False

    # ----- claim -----

    async def _claim(self, takedown_id: uuid.UUID) -> Call | None:
        async with self.database.session_scope() as session:
            takedown = (
                await session.execute(
                    for_update(
                        session,
                        select(ConsentTakedown).where(col(ConsentTakedown.id) == takedown_id),
                    )
                )
            ).scalar_one_or_none()
            if takedown is None or takedown.status in (T.deleted, T.failed, T.blocked):
                return None
            now = utc_now()
            if (
                takedown.status is T.deleting
                and takedown.lease_until
                and takedown.lease_until > now
            ):
                raise TakedownBusy(str(takedown_id))
            if takedown.status is T.pending and takedown.next_attempt_at > now:
                return None  # a later job is queued for its retry time
            publication = (
                await session.execute(
                    for_update(
                        session,
                        select(Publication).where(col(Publication.id) == takedown.publication_id),
                    )
                )
            ).scalar_one()
            channel = await session.get(Channel, publication.channel_id)
            assert channel is not None  # a foreign key
            if publication.status is P.deleted:
                await self._finish(session, takedown, publication, T.deleted)
                return None
            if publication.status is P.publishing:
                # In flight when the consent ended: wait for the publisher to settle it.
                takedown.next_attempt_at = now + IN_FLIGHT_RECHECK
                await enqueue_takedown(
                    session, takedown, key=f"consent.takedown:{takedown.publication_id}:{uuid.uuid4().hex}",
                    run_at=takedown.next_attempt_at,
                )  # fmt: skip
                return None
            if publication.status not in (P.published, P.deleting, P.unconfirmed):
                # Never went live (failed, missed, paused): nothing on the platform to delete.
                await self._finish(session, takedown, publication, T.deleted, code="not_live")
                return None
            if not publication.platform_post_id:
                await self._fail(
                    session, takedown, publication, "unconfirmed",
                    f"Unklar, ob der Beitrag auf {_platform(channel)} erschienen ist; ohne "
                    f"Plattform-ID kann er nicht gelöscht werden. Bitte auf „"
                    f"{channel.display_name}“ prüfen und gegebenenfalls von Hand löschen.",
                )  # fmt: skip
                return None
            if channel.status is not ChannelStatus.connected:
                await self._block(session, takedown, publication, channel)
                return None
            try:
                connector = get_connector(channel.platform, self.connector_settings, self.http)
                account = await account_for(session, self.box, channel)
            except UnsupportedPlatform:
                await self._fail(
                    session, takedown, publication, "platform_unsupported",
                    f"{_platform(channel)} ist nicht angebunden; bitte von Hand löschen.",
                )  # fmt: skip
                return None
            except (SecretError, ValueError):
                await mark_needs_reconnect(
                    session, channel, "Die gespeicherten Zugangsdaten sind nicht lesbar."
                )
                await self._block(session, takedown, publication, channel)
                return None
            # An earlier attempt (killed mid-call, or ended in an error) may have deleted it.
            reconcile = takedown.attempts > 0
            takedown.status = T.deleting
            takedown.locked_by = self.owner
            takedown.lease_until = now + self.lease
            takedown.attempts += 1
            session.add(takedown)
            publication.status = P.deleting
            session.add(publication)
            return Call(
                takedown.id, publication.id, channel, connector, account,
                publication.platform_post_id, reconcile,
            )  # fmt: skip

    async def _renew(self, call: Call) -> bool:
        """After reconciling, before the DELETE: the takedown is still ours (a fresh lease), so
        no successor deletes the same post at the same time."""
        async with self.database.session_scope() as session:
            takedown = await self._own(session, call)
            if takedown is None:
                return False
            takedown.lease_until = utc_now() + self.lease
            session.add(takedown)
            return True

    async def _own(self, session: AsyncSession, call: Call) -> ConsentTakedown | None:
        takedown: ConsentTakedown | None = (
            await session.execute(
                for_update(
                    session,
                    select(ConsentTakedown).where(col(ConsentTakedown.id) == call.takedown_id),
                )
            )
        ).scalar_one_or_none()
        if (
            takedown is None
            or takedown.status is not T.deleting
            or takedown.locked_by != self.owner
        ):
            return None
        return takedown

    async def _publication(self, session: AsyncSession, call: Call) -> Publication:
        publication = await session.get(Publication, call.publication_id)
        assert publication is not None
        return publication

    # ----- results -----

    async def _deleted(self, call: Call, *, reconciled: bool = False) -> None:
        """The post is gone: deleted by our DELETE, or (``reconciled``) found gone by the read
        before a repeated DELETE — an earlier attempt's DELETE reached the platform."""
        async with self.database.session_scope() as session:
            takedown = await session.get(ConsentTakedown, call.takedown_id)
            if takedown is None or takedown.status is T.deleted:
                return
            # Recorded even if our lease ran out: the post is gone, that is the truth.
            publication = await self._publication(session, call)
            await self._finish(
                session, takedown, publication, T.deleted, details={"reconciled": reconciled}
            )

    async def _retry(self, call: Call, exc: RateLimited | TransientError) -> None:
        async with self.database.session_scope() as session:
            takedown = await self._own(session, call)
            if takedown is None:
                return
            publication = await self._publication(session, call)
            platform = _platform(call.channel)
            if isinstance(exc, TransientError) and takedown.attempts >= MAX_TRANSIENT_ATTEMPTS:
                await self._fail(
                    session, takedown, publication, "transient_exhausted",
                    f"{platform} war nach {takedown.attempts} Versuchen nicht erreichbar; "
                    "bitte den Beitrag von Hand löschen.",
                )  # fmt: skip
                return
            delay = (
                exc.retry_after
                if isinstance(exc, RateLimited)
                else exc.retry_after or backoff(max(1, takedown.attempts))
            )
            takedown.status = T.pending
            takedown.next_attempt_at = utc_now() + timedelta(seconds=delay)
            takedown.locked_by = None
            takedown.lease_until = None
            takedown.error_code = "rate_limited" if isinstance(exc, RateLimited) else "transient"
            takedown.last_error = (
                f"{platform}: Ratenlimit erreicht – nächster Versuch "
                f"{takedown.next_attempt_at:%d.%m.%Y %H:%M:%S} UTC."
                if isinstance(exc, RateLimited)
                else f"{platform} ist vorübergehend gestört – nächster Versuch "
                f"{takedown.next_attempt_at:%d.%m.%Y %H:%M:%S} UTC."
            )
            session.add(takedown)
            await enqueue_takedown(
                session, takedown, key=f"consent.takedown:{call.publication_id}:{takedown.attempts}",
                run_at=takedown.next_attempt_at,
            )  # fmt: skip

    async def _blocked(self, call: Call) -> None:
        async with self.database.session_scope() as session:
            channel = await session.get(Channel, call.channel.id)
            assert channel is not None
            await mark_needs_reconnect(
                session, channel, "Die Plattform hat den Zugang abgelehnt (Token abgelaufen "
                "oder widerrufen). Bitte neu verbinden.",
            )  # fmt: skip
            takedown = await self._own(session, call)
            if takedown is None:
                return
            await self._block(session, takedown, await self._publication(session, call), channel)

    async def _refused(self, call: Call, exc: ConnectorError) -> None:
        message = exc.user_message if isinstance(exc, PermanentError) else None
        async with self.database.session_scope() as session:
            takedown = await self._own(session, call)
            if takedown is None:
                return
            publication = await self._publication(session, call)
            publication.status = P.published  # still live: a person must delete it by hand
            await self._fail(
                session, takedown, publication, (exc.platform_code or "permanent")[:64],
                f"{_platform(call.channel)} hat das Löschen abgelehnt: "
                f"{message or 'unbekannter Fehler'} Bitte den Beitrag von Hand löschen.",
            )  # fmt: skip

    async def _refresh(self, call: Call) -> bool:
        try:
            credentials = await call.connector.refresh_token(call.account)
        except ConnectorError:
            return False
        async with self.database.session_scope() as session:
            channel = await session.get(Channel, call.channel.id)
            if channel is None:
                return False
            await store_credentials(session, self.box, channel, credentials)
        call.account = replace(call.account, credentials=credentials)
        return True

    # ----- resting states -----

    async def _block(
        self,
        session: AsyncSession,
        takedown: ConsentTakedown,
        publication: Publication,
        channel: Channel,
    ) -> None:
        first = takedown.status is not T.blocked
        takedown.status = T.blocked
        takedown.locked_by = None
        takedown.lease_until = None
        takedown.error_code = "auth_expired"
        takedown.last_error = (
            f"Wartet: Die Verbindung zu {_platform(channel)} („{channel.display_name}“) ist "
            "abgelaufen. Nach dem Neuverbinden wird der Beitrag gelöscht."
        )
        publication.status = P.deleting
        session.add_all([takedown, publication])
        await session.flush()
        if first:
            await self._audit(session, takedown, "publication.takedown_blocked")
            await self._tell_failed(session, takedown, takedown.last_error)

    async def _fail(
        self,
        session: AsyncSession,
        takedown: ConsentTakedown,
        publication: Publication,
        code: str,
        message: str,
    ) -> None:
        takedown.status = T.failed
        takedown.locked_by = None
        takedown.lease_until = None
        takedown.error_code = code
        takedown.last_error = message[:2000]
        takedown.finished_at = utc_now()
        if publication.status is P.deleting:
            publication.status = P.published
        session.add_all([takedown, publication])
        await session.flush()
        await self._audit(session, takedown, "publication.takedown_failed", {"error_code": code})
        await self._tell_failed(session, takedown, message)

    async def _finish(
        self,
        session: AsyncSession,
        takedown: ConsentTakedown,
        publication: Publication,
        status: TakedownStatus,
        *,
        code: str | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        takedown.status = status
        takedown.locked_by = None
        takedown.lease_until = None
        takedown.error_code = code
        takedown.last_error = None
        takedown.finished_at = utc_now()
        if code is None:
            publication.status = P.deleted
            publication.locked_by = None
            publication.lease_until = None
        session.add_all([takedown, publication])
        await session.flush()
        if code is None:
            await self._audit(
                session, takedown, "publication.deleted",
                {"attempts": takedown.attempts, **(details or {})},
            )  # fmt: skip
        await self._post_done(session, takedown.post_id)

    async def _post_done(self, session: AsyncSession, post_id: uuid.UUID) -> None:
        """The post is taken down once nothing of it is (or may be) live any more.

        The post row is locked first: takedowns of its publications finishing at the same time
        then check one after the other, and the last one sees every other one's result (without
        the lock each could see the others still deleting and none would mark the post)."""
        post = (
            await session.execute(
                for_update(session, select(Post).where(col(Post.id) == post_id)),
                execution_options={"populate_existing": True},
            )
        ).scalar_one_or_none()
        if post is None or post.status is PostStatus.taken_down:
            return
        statuses = set(
            (
                await session.execute(
                    select(col(Publication.status)).where(col(Publication.post_id) == post_id)
                )
            ).scalars()
        )
        if statuses & STILL_LIVE or P.deleted not in statuses:
            return
        if not can_transition(post.status, PostStatus.taken_down):
            return
        before = post.status
        post.status = PostStatus.taken_down
        session.add(post)
        await session.flush()
        await audit_service.record(
            session, "post.taken_down", organization_id=post.organization_id,
            clinic_id=post.clinic_id, target_type="post", target_id=post.id,
            details={"status": post.status.value, "previous_status": before.value},
        )  # fmt: skip
        await notify_post(
            session, post, NotificationKind.consent_takedown_finished, "Beitrag entfernt",
            f"„{post.title}“ ist auf allen Kanälen gelöscht (Einwilligung beendet).",
        )  # fmt: skip

    async def _tell_failed(
        self, session: AsyncSession, takedown: ConsentTakedown, message: str | None
    ) -> None:
        post = await session.get(Post, takedown.post_id)
        if post is not None:
            await notify_post(
                session, post, NotificationKind.consent_takedown_failed,
                "Entfernen nicht abgeschlossen", f"„{post.title}“: {message or ''}",
            )  # fmt: skip

    async def _audit(
        self,
        session: AsyncSession,
        takedown: ConsentTakedown,
        action: str,
        details: dict[str, object] | None = None,
    ) -> None:
        await audit_service.record(
            session, action, organization_id=takedown.organization_id,
            clinic_id=takedown.clinic_id, target_type="publication",
            target_id=takedown.publication_id,
            details={"post_id": str(takedown.post_id), "consent_id": str(takedown.consent_id),
                     "takedown_status": takedown.status.value, **(details or {})},
        )  # fmt: skip


async def resume_blocked(session: AsyncSession) -> int:
    """Blocked takedowns whose channel is connected again go back to the queue."""
    rows = (
        await session.execute(
            for_update(
                session,
                select(ConsentTakedown)
                .join(Publication, col(Publication.id) == col(ConsentTakedown.publication_id))
                .join(Channel, col(Channel.id) == col(Publication.channel_id))
                .where(
                    col(ConsentTakedown.status) == T.blocked,
                    col(Channel.status) == ChannelStatus.connected,
                ),
            )
        )
    ).scalars()
    count = 0
    now = utc_now()
    for takedown in rows:
        takedown.status = T.pending
        takedown.next_attempt_at = now
        session.add(takedown)
        await enqueue_takedown(
            session,
            takedown,
            key=f"consent.takedown:{takedown.publication_id}:{uuid.uuid4().hex}",
            run_at=now,
        )
        count += 1
    return count
