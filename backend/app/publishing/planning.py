"""Turn a scheduled post into publications: one per (post, target channel).

The worker (``app.publishing``) claims ``pending`` rows whose ``next_attempt_at`` is due. Planning
runs in the caller's transaction and never commits.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.posts.models import Post, PostVariant
from app.publishing.models import Publication, PublicationStatus

P = PublicationStatus

REPLANNABLE: frozenset[PublicationStatus] = frozenset({P.pending, P.paused, P.failed, P.missed})
"""States in which nothing reached the platform: safe to (re)plan or to drop.

``publishing`` (a worker holds the lease), ``unconfirmed`` (may be live), ``published`` and
``deleted`` are never touched here: exactly one platform post per publication."""


async def plan_publications(session: AsyncSession, post: Post) -> list[Publication]:
    """One pending publication per target channel, due at ``post.scheduled_at``.

    Idempotent: re-planning updates the due time and content hash of rows that have not reached
    the platform (``REPLANNABLE``), leaves the others alone, never inserts a second row for a
    (post, channel) — the unique constraint backs that up — and drops not-yet-published rows of
    channels that are no longer targets. Returns the post's publication of every target channel.
    """
    if post.scheduled_at is None:
        raise ValueError("plan_publications needs post.scheduled_at")
    channel_ids = list(
        (
            await session.execute(
                select(col(PostVariant.channel_id))
                .where(col(PostVariant.post_id) == post.id)
                .order_by(col(PostVariant.created_at), col(PostVariant.channel_id))
            )
        ).scalars()
    )
    existing = {
        publication.channel_id: publication
        for publication in (
            await session.execute(
                select(Publication).where(col(Publication.post_id) == post.id).with_for_update()
            )
        ).scalars()
    }
    planned: list[Publication] = []
    for channel_id in channel_ids:
        publication = existing.get(channel_id)
        if publication is None:
            publication = Publication(
                post_id=post.id,
                channel_id=channel_id,
                organization_id=post.organization_id,
                clinic_id=post.clinic_id,
                status=P.pending,
                due_at=post.scheduled_at,
                next_attempt_at=post.scheduled_at,
                content_hash=post.content_hash,
            )
            session.add(publication)
        elif publication.status in REPLANNABLE:
            publication.status = P.pending
            publication.due_at = post.scheduled_at
            publication.next_attempt_at = post.scheduled_at
            publication.content_hash = post.content_hash
            publication.crisis_release_id = None  # a release covers one holding-statement action
            publication.last_error = None
            publication.error_code = None
        planned.append(publication)
    await session.execute(
        delete(Publication).where(
            col(Publication.post_id) == post.id,
            col(Publication.channel_id).not_in(channel_ids),
            col(Publication.status).in_(REPLANNABLE),
        )
    )
    await session.flush()
    return planned


async def cancel_publications(session: AsyncSession, post: Post) -> int:
    """Withdraw the post's publications that have not reached the platform; returns how many.

    Choice: rows in ``REPLANNABLE`` states (pending, paused, failed, missed) are **deleted** —
    they never produced a platform post, so there is nothing to keep a state for, and a later
    re-plan starts clean. The delete is one conditional statement, so a worker that claimed a
    row a moment earlier (``publishing``) keeps it; that worker re-checks the post's status under
    its lease. ``deleted`` stays reserved for live posts removed on the platform (takedowns);
    ``published`` and ``unconfirmed`` rows are left for that path.
    """
    result = await session.execute(
        delete(Publication).where(
            col(Publication.post_id) == post.id,
            col(Publication.status).in_(REPLANNABLE),
        )
    )
    await session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
