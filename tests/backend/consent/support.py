"""Set-up for consent tests: consent records, posts with live publications on the sandbox (really
published by the publisher), links, and a worker loop that runs until the queue is empty."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fixtures.consents import make_consent
from fixtures.sandbox import SandboxServer
from fixtures.world import World
from publishing.support import Target, connect_mastodon, run_publisher
from sqlalchemy import select, update
from sqlmodel import col

from app.auth.permissions import Role
from app.config import Settings
from app.consent.models import Consent, ConsentTakedown, PostConsent
from app.kit.db import Database
from app.kit.time import utc_now
from app.notifications.models import Notification
from app.posts.models import Post, PostCategory, PostStatus, PostVariant
from app.publishing.models import Publication, PublicationStatus
from app.worker.models import Job, JobStatus
from app.worker.runner import Worker

OFFICER = "datenschutz@musterland.example"
EDITOR = "redaktion@musterland.example"
ADMIN = "admin@musterland.example"
MODERATOR = "moderation@musterland.example"


async def three_targets(
    database: Database, settings: Settings, sandbox: SandboxServer, world: World
) -> list[Target]:
    return [
        await connect_mastodon(database, settings, sandbox, world.clinic_a, name)
        for name in ("nord", "sued", "west")
    ]


async def live_post(
    database: Database,
    settings: Settings,
    world: World,
    targets: list[Target],
    title: str,
    *consents: Consent,
) -> Post:
    """A patient story relying on ``consents`` (one valid consent of its own when none are
    given), published on every target (real platform posts on the sandbox)."""
    consents = consents or (await make_consent(database, world),)
    due = utc_now() - timedelta(seconds=1)
    async with database.session_scope() as session:
        post = Post(
            organization_id=world.org.id, clinic_id=world.clinic_a.id, title=title,
            category=PostCategory.patient_story, base_text=f"{title}: Danke an das Team!",
            scheduled_at=due, status=PostStatus.scheduled, shows_patient=True,
            created_by_id=world.user(Role.editor).id,
        )  # fmt: skip
        session.add(post)
        await session.flush()
        for target in targets:
            session.add(PostVariant(post_id=post.id, channel_id=target.channel.id))
            session.add(
                Publication(
                    post_id=post.id,
                    channel_id=target.channel.id,
                    organization_id=world.org.id,
                    clinic_id=world.clinic_a.id,
                    due_at=due,
                    next_attempt_at=due,
                )
            )
        for consent in consents:
            session.add(PostConsent(post_id=post.id, consent_id=consent.id))
    await run_publisher(database, settings)
    async with database.session_scope() as session:
        statuses = (
            await session.execute(
                select(col(Publication.status)).where(col(Publication.post_id) == post.id)
            )
        ).scalars()
        assert set(statuses) == {PublicationStatus.published}
    return post


async def link(database: Database, post: Post, *consents: Consent) -> None:
    async with database.session_scope() as session:
        for consent in consents:
            session.add(PostConsent(post_id=post.id, consent_id=consent.id))


async def publications(database: Database, post_id: uuid.UUID) -> list[Publication]:
    async with database.session_scope() as session:
        return list(
            (
                await session.execute(
                    select(Publication).where(col(Publication.post_id) == post_id)
                )
            ).scalars()
        )


async def takedowns(database: Database) -> list[ConsentTakedown]:
    async with database.session_scope() as session:
        return list((await session.execute(select(ConsentTakedown))).scalars())


async def post_status(database: Database, post_id: uuid.UUID) -> PostStatus:
    async with database.session_scope() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        return post.status


async def notifications(database: Database, kind: str) -> list[Notification]:
    async with database.session_scope() as session:
        return list(
            (
                await session.execute(select(Notification).where(col(Notification.kind) == kind))
            ).scalars()
        )


async def make_jobs_due(database: Database) -> None:
    """Let time pass: queued jobs and waiting takedowns are due now."""
    past = utc_now() - timedelta(seconds=1)
    async with database.session_scope() as session:
        await session.execute(
            update(Job).where(col(Job.status) == JobStatus.queued).values(run_at=past)
        )
        await session.execute(update(ConsentTakedown).values(next_attempt_at=past))


async def drain(database: Database, settings: Settings, *names: str, rounds: int = 10) -> None:
    """Run worker iterations (several workers racing when more names are given) until idle."""
    workers = [Worker(database, settings, name=name) for name in names or ("worker-1",)]
    import asyncio

    for _ in range(rounds):
        handled = await asyncio.gather(*(w.run_once() for w in workers))
        if not any(handled):
            return


async def withdraw(client: Any, headers: dict[str, str], consent: Consent) -> Any:
    return await client.post(
        f"/api/v1/consents/{consent.id}/withdraw",
        json={"reason": "Patientin hat telefonisch widerrufen."},
        headers=headers,
    )
