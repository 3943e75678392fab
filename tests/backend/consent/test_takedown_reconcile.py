"""REL-11 reconciliation: a takedown attempted before reads the post by id (``Connector.exists``)
and deletes it only when it is still there; a first attempt deletes without reading."""

from __future__ import annotations

from typing import Any

import httpx
from consent.support import (
    OFFICER,
    drain,
    live_post,
    make_jobs_due,
    post_status,
    publications,
    takedowns,
    three_targets,
    withdraw,
)
from fixtures.consents import make_consent
from fixtures.sandbox import SandboxServer
from fixtures.world import World
from publishing.support import login_as, publishing_env, sandbox_posts
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.config import Settings
from app.consent.models import TakedownStatus
from app.kit.db import Database
from app.posts.models import PostStatus
from app.publishing.models import PublicationStatus as S

__all__ = ["publishing_env"]
STATUS = r"^/mastodon/api/v1/statuses/\d+$"


async def deleted_audits(database: Database) -> list[dict[str, Any]]:
    async with database.session_scope() as session:
        rows = await session.execute(
            select(AuditEvent.details).where(AuditEvent.action == "publication.deleted")
        )
        return list(rows.scalars())


def faults(sandbox: SandboxServer) -> list[dict[str, Any]]:
    response = sandbox.control.client.get("/faults")
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()
    return result


async def test_first_attempt_deletes_without_reading(
    client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
    settings: Settings, world: World,
) -> None:  # fmt: skip
    [target] = (await three_targets(database, settings, publishing_env, world))[:1]
    consent = await make_consent(database, world)
    post = await live_post(database, settings, world, [target], "Direkt", consent)
    publishing_env.control.fault("status", STATUS, method="GET", status=500)

    await withdraw(client, await login_as(client, world, OFFICER), consent)
    await drain(database, settings)

    assert [f["hits"] for f in faults(publishing_env)] == [0]  # no read of the post
    [call] = publishing_env.control.deletes("mastodon")
    assert call["deleted"]
    assert await post_status(database, post.id) is PostStatus.taken_down
    [details] = await deleted_audits(database)
    assert details["reconciled"] is False


async def test_lost_answer_is_reconciled_without_a_second_delete(
    client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
    settings: Settings, world: World,
) -> None:  # fmt: skip
    """The platform deletes the post but the answer is lost (connection dropped): the retry
    reads the post, finds it gone and records it deleted — one DELETE in all."""
    [target] = (await three_targets(database, settings, publishing_env, world))[:1]
    consent = await make_consent(database, world)
    post = await live_post(database, settings, world, [target], "Verloren", consent)
    publishing_env.control.fault("drop_after_create", STATUS, method="DELETE")

    await withdraw(client, await login_as(client, world, OFFICER), consent)
    await drain(database, settings)
    [row] = await takedowns(database)
    assert row.status is TakedownStatus.pending
    assert sandbox_posts(publishing_env, target) == []  # deleted, but nobody heard it

    await make_jobs_due(database)
    await drain(database, settings)

    [call] = publishing_env.control.deletes("mastodon")
    assert call["deleted"]
    [row] = await takedowns(database)
    assert row.status is TakedownStatus.deleted
    assert row.attempts == 2
    assert (await publications(database, post.id))[0].status is S.deleted
    assert await post_status(database, post.id) is PostStatus.taken_down
    [details] = await deleted_audits(database)
    assert details["reconciled"] is True


async def test_still_there_after_a_failed_attempt_is_deleted_once(
    client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
    settings: Settings, world: World,
) -> None:  # fmt: skip
    """A 503 never reached the handler: the retry reads the post, finds it and deletes it."""
    [target] = (await three_targets(database, settings, publishing_env, world))[:1]
    consent = await make_consent(database, world)
    post = await live_post(database, settings, world, [target], "Noch da", consent)
    publishing_env.control.fault("status", STATUS, method="DELETE", status=503)

    await withdraw(client, await login_as(client, world, OFFICER), consent)
    await drain(database, settings)
    await make_jobs_due(database)
    await drain(database, settings)

    [call] = publishing_env.control.deletes("mastodon")
    assert call["deleted"]
    assert await post_status(database, post.id) is PostStatus.taken_down
    [details] = await deleted_audits(database)
    assert details["reconciled"] is False


async def test_refused_read_deletes_anyway(
    client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
    settings: Settings, world: World,
) -> None:  # fmt: skip
    """When the platform refuses the read (403), reconciliation cannot tell: the post is
    deleted rather than left up (a second DELETE would be answered 404, harmless)."""
    [target] = (await three_targets(database, settings, publishing_env, world))[:1]
    consent = await make_consent(database, world)
    post = await live_post(database, settings, world, [target], "Verboten", consent)
    publishing_env.control.fault("status", STATUS, method="DELETE", status=503)
    publishing_env.control.fault(
        "status", STATUS, method="GET", status=403, body={"error": "This action is not allowed"}
    )

    await withdraw(client, await login_as(client, world, OFFICER), consent)
    await drain(database, settings)
    await make_jobs_due(database)
    await drain(database, settings)

    assert [f["hits"] for f in faults(publishing_env)] == [1, 1]
    [call] = publishing_env.control.deletes("mastodon")
    assert call["deleted"]
    assert (await takedowns(database))[0].status is TakedownStatus.deleted
    assert await post_status(database, post.id) is PostStatus.taken_down
