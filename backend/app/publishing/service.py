"""Publications: state changes shared by the publisher and the API, and the API's reads and
actions (list a post's publications, retry after a person checked, resume after a crisis)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.channels.models import Channel
from app.crisis.scope import active_crisis_for
from app.kit.errors import Conflict, InvalidTransition, NotFound, field_error
from app.kit.pagination import CursorParams, paginate
from app.kit.sql import for_update
from app.kit.time import utc_now
from app.notifications.models import NotificationKind
from app.notifications.service import notify
from app.posts.localtime import resolve_local
from app.posts.models import Post, PostStatus
from app.publishing.models import Publication, PublicationStatus
from app.publishing.schemas import PublicationResume, PublicationRetry
from app.tenancy.models import Clinic

S = PublicationStatus
OPEN = frozenset({S.pending, S.publishing})
PROBLEMS = frozenset({S.failed, S.missed, S.unconfirmed})
# Post states the publication outcome may change; drafts, reviews and cancelled posts stay.
_FOLLOWS_PUBLICATIONS = frozenset(
    {PostStatus.scheduled, PostStatus.published, PostStatus.failed, PostStatus.paused}
)


async def refresh_post_status(session: AsyncSession, post_id: uuid.UUID) -> None:
    """Derive the post's status from its publications: published when all went out, failed
    when something failed/missed/stayed unconfirmed and nothing is still open, paused when only
    paused ones are left, scheduled while any is still pending."""
    await refresh_post_statuses(session, {post_id})


async def refresh_post_statuses(session: AsyncSession, post_ids: Iterable[uuid.UUID]) -> None:
    """:func:`refresh_post_status` for many posts with two queries."""
    ids = set(post_ids)
    if not ids:
        return
    await session.flush()
    posts = (
        await session.execute(
            select(Post).where(
                col(Post.id).in_(ids), col(Post.status).in_(list(_FOLLOWS_PUBLICATIONS))
            )
        )
    ).scalars()
    posts_by_id = {p.id: p for p in posts}
    if not posts_by_id:
        return
    statuses: dict[uuid.UUID, set[PublicationStatus]] = {}
    for post_id, status in await session.execute(
        select(col(Publication.post_id), col(Publication.status)).where(
            col(Publication.post_id).in_(list(posts_by_id))
        )
    ):
        statuses.setdefault(post_id, set()).add(status)
    changed = False
    for post_id, post in posts_by_id.items():
        new = _post_status(statuses.get(post_id, set()))
        if new is not None and post.status != new:
            post.status = new
            session.add(post)
            changed = True
    if changed:
        await session.flush()


def _post_status(statuses: set[PublicationStatus]) -> PostStatus | None:
    if not statuses:
        return None
    if statuses & OPEN:
        return PostStatus.scheduled
    if statuses & PROBLEMS:
        return PostStatus.failed
    if S.paused in statuses:
        return PostStatus.paused
    if S.published in statuses:
        return PostStatus.published
    return None


async def settle(
    session: AsyncSession,
    publication: Publication,
    status: PublicationStatus,
    *,
    error: str | None = None,
    error_code: str | None = None,
    action: str | None = None,
    subject: AuthSubject | None = None,
    details: dict[str, Any] | None = None,
    batch: bool = False,
) -> None:
    """Move a publication to a resting state: release the lease, keep the German error, audit
    ``action`` (ids and codes only), tell the post's author about a new problem and update the
    post. ``batch``: the caller settles many in one transaction, flushes once and calls
    :func:`refresh_post_statuses` for all their posts at the end."""
    became_problem = status in PROBLEMS and publication.status != status
    publication.status = status
    publication.locked_by = None
    publication.lease_until = None
    publication.last_error = error[:2000] if error else None
    publication.error_code = error_code
    session.add(publication)
    if not batch:
        await session.flush()
    if action is not None:
        await audit_service.record(
            session, action, subject=subject, organization_id=publication.organization_id,
            clinic_id=publication.clinic_id, target_type="publication", target_id=publication.id,
            details={"post_id": str(publication.post_id), "channel_id": str(publication.channel_id),
                     "error_code": error_code, **(details or {})}, flush=not batch,
        )  # fmt: skip
    if became_problem:
        await _notify_author(session, publication)
    if not batch:
        await refresh_post_status(session, publication.post_id)


_PROBLEM_TEXTS = {
    S.failed: (NotificationKind.publication_failed, "Veröffentlichung fehlgeschlagen",
               "konnte nicht veröffentlicht werden"),
    S.missed: (NotificationKind.publication_missed, "Veröffentlichung verpasst",
               "wurde nicht rechtzeitig veröffentlicht und wird nicht nachgeholt"),
    S.unconfirmed: (NotificationKind.publication_unconfirmed, "Veröffentlichung unbestätigt",
                    "ist möglicherweise erschienen; bitte auf der Plattform prüfen"),
}  # fmt: skip


async def _notify_author(session: AsyncSession, publication: Publication) -> None:
    post = await session.get(Post, publication.post_id)
    channel = await session.get(Channel, publication.channel_id)
    if post is None:
        return
    kind, title, what = _PROBLEM_TEXTS[publication.status]
    where = f"Kanal „{channel.display_name}“" if channel is not None else "Kanal unbekannt"
    await notify(
        session, user_ids=[post.created_by_id], kind=kind,
        organization_id=publication.organization_id, clinic_id=publication.clinic_id,
        title_de=title, body_de=f"Ein Beitrag {what} ({where}).",
        link=f"/beitraege/{post.id}", target_type="post", target_id=post.id,
    )  # fmt: skip


class PublicationService:
    async def get_post(
        self, session: AsyncSession, subject: AuthSubject, post_id: uuid.UUID
    ) -> Post:
        post: Post | None = (
            await session.execute(
                select(Post).where(
                    col(Post.id) == post_id,
                    col(Post.organization_id) == subject.organization_id,
                    col(Post.clinic_id).in_(subject.clinic_ids(Permission.posts_read)),
                )
            )
        ).scalar_one_or_none()
        if post is None:
            raise NotFound("No such post.")
        return post

    async def list_for_post(
        self, session: AsyncSession, subject: AuthSubject, post_id: uuid.UUID, params: CursorParams
    ) -> tuple[Sequence[tuple[Publication, Channel]], str | None]:
        post = await self.get_post(session, subject, post_id)
        rows, cursor = await paginate(
            session,
            select(Publication).where(col(Publication.post_id) == post.id),
            params,
            sort=col(Publication.created_at),
            id_column=col(Publication.id),
        )
        channels = await self._channels(session, {p.channel_id for p in rows})
        return [(p, channels[p.channel_id]) for p in rows], cursor

    async def _channels(
        self, session: AsyncSession, ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, Channel]:
        if not ids:
            return {}
        found = (await session.execute(select(Channel).where(col(Channel.id).in_(ids)))).scalars()
        return {c.id: c for c in found}

    async def channel_of(self, session: AsyncSession, publication: Publication) -> Channel:
        channel = await session.get(Channel, publication.channel_id)
        assert channel is not None  # a foreign key
        return channel

    async def get_for_schedule(
        self, session: AsyncSession, subject: AuthSubject, publication_id: uuid.UUID
    ) -> Publication:
        """The publication, locked, if the subject may schedule posts in its clinic; else 404."""
        statement = select(Publication).where(
            col(Publication.id) == publication_id,
            col(Publication.organization_id) == subject.organization_id,
            col(Publication.clinic_id).in_(subject.clinic_ids(Permission.posts_schedule)),
        )
        publication: Publication | None = (
            await session.execute(for_update(session, statement))
        ).scalar_one_or_none()
        if publication is None:
            raise NotFound("No such publication.")
        return publication

    async def _new_time(
        self,
        session: AsyncSession,
        publication: Publication,
        data: PublicationRetry | PublicationResume,
    ) -> datetime | None:
        """The requested instant (UTC): ``at`` as given, or ``at_local`` in the clinic's zone
        (DST-correct, ``fold`` for the repeated hour); it must lie in the future."""
        if data.at_local is not None:
            clinic = await session.get(Clinic, publication.clinic_id)
            zone = clinic.timezone if clinic else "Europe/Berlin"
            at = resolve_local(data.at_local, zone, data.fold, "body.at_local")
            field = "body.at_local"
        elif data.at is not None:
            at, field = data.at, "body.at"
        else:
            return None
        if at <= utc_now():
            raise field_error(field, "Der Zeitpunkt liegt in der Vergangenheit.", "in_past")
        return at

    async def _check_no_crisis(self, session: AsyncSession, publication: Publication) -> None:
        crisis = await active_crisis_for(
            session, publication.organization_id, publication.clinic_id
        )
        if crisis is not None:
            raise Conflict("A crisis is active for this clinic; end it before resuming.")

    async def _reschedule(self, publication: Publication, at: datetime) -> None:
        publication.status = S.pending
        publication.due_at = at
        publication.next_attempt_at = at
        publication.crisis_release_id = None  # a release covers one holding-statement action
        publication.attempts = 0
        publication.locked_by = None
        publication.lease_until = None
        publication.last_error = None
        publication.error_code = None

    async def retry(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        publication_id: uuid.UUID,
        data: PublicationRetry,
    ) -> Publication:
        """A person checked a failed or unconfirmed publication: publish it again at the given
        time (now when omitted). For an unconfirmed one the person has confirmed the platform
        shows no post, so the attempt of unknown outcome is forgotten."""
        publication = await self.get_for_schedule(session, subject, publication_id)
        at = await self._new_time(session, publication, data)
        if publication.status not in (S.failed, S.unconfirmed):
            raise InvalidTransition(
                f"Only failed or unconfirmed publications can be retried (this one is "
                f"{publication.status.value})."
            )
        await self._check_no_crisis(session, publication)
        before = publication.status
        await self._reschedule(publication, at or utc_now())
        publication.attempt_started_at = None
        session.add(publication)
        await session.flush()
        await audit_service.record(
            session, "publication.retried", subject=subject, clinic_id=publication.clinic_id,
            target_type="publication", target_id=publication.id,
            details={"before": before.value, "due_at": publication.due_at.isoformat()},
        )  # fmt: skip
        await refresh_post_status(session, publication.post_id)
        return publication

    async def resume(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        publication_id: uuid.UUID,
        data: PublicationResume,
    ) -> Publication:
        """A paused publication goes back to pending at a new time in the future. An attempt of
        unknown outcome stays recorded, so the publisher reconciles before publishing."""
        publication = await self.get_for_schedule(session, subject, publication_id)
        at = await self._new_time(session, publication, data)
        assert at is not None  # the schema requires one of at_local and at
        if publication.status is not S.paused:
            raise InvalidTransition(
                f"Only paused publications can be resumed (this one is {publication.status.value})."
            )
        await self._check_no_crisis(session, publication)
        await self._reschedule(publication, at)
        session.add(publication)
        await session.flush()
        await audit_service.record(
            session, "publication.resumed", subject=subject, clinic_id=publication.clinic_id,
            target_type="publication", target_id=publication.id,
            details={"due_at": at.isoformat()},
        )  # fmt: skip
        await refresh_post_status(session, publication.post_id)
        return publication


publication_service = PublicationService()
