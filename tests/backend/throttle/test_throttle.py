"""Throttling before the platform does: Meta usage headers at 95 % stop claims for that account
(others continue) until the window regains, and the per-account concurrency cap holds across
two workers (the sandbox records the most creates in flight per account)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fixtures.sandbox import SandboxServer
from fixtures.world import World
from publishing.support import (
    Target,
    _channel,
    connect_mastodon,
    load,
    make_due,
    publishing_env,
    run_publisher,
    sandbox_posts,
    schedule,
)

from app.config import Settings
from app.connectors.base import Platform
from app.kit.db import Database
from app.kit.time import utc_now
from app.publishing.models import PublicationStatus as S
from app.publishing.models import PublishingThrottle
from app.worker.runner import Worker

__all__ = ["publishing_env"]


def set_usage(sandbox: SandboxServer, percent: int, object_id: str | None = None) -> None:
    sandbox.control._call("POST", "/graph/usage", json={"percent": percent, "object_id": object_id})


async def two_pages(database: Database, settings: Settings, sandbox: SandboxServer, world: World):  # type: ignore[no-untyped-def]
    user = sandbox.control.graph_user(
        pages=[{"name": "Nord", "instagram": False}, {"name": "Süd", "instagram": False}]
    )
    targets = []
    for page in user["pages"]:
        channel = await _channel(
            database, settings, world.clinic_a, Platform.FACEBOOK, page["id"],
            page["access_token"], name=page["id"],
        )  # fmt: skip
        targets.append(Target(channel, "facebook", page["id"], page["access_token"]))
    return targets


async def throttle_row(database: Database, scope: str) -> PublishingThrottle | None:
    async with database.session_scope() as session:
        return await session.get(PublishingThrottle, scope)


class TestUsage:
    async def test_usage_at_95_percent_stops_that_account_until_it_regains(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        busy, calm = await two_pages(database, settings, publishing_env, world)
        set_usage(publishing_env, 95, busy.account_id)
        first = await schedule(database, world, busy, "Erster Beitrag bei hoher Auslastung")

        await run_publisher(database, settings)

        assert (await load(database, first.id)).status is S.published
        row = await throttle_row(database, f"facebook:{busy.account_id}")
        assert row is not None
        assert row.usage_percent >= 95
        assert row.blocked_until is not None
        assert row.blocked_until > utc_now() + timedelta(seconds=60)

        waiting = [await schedule(database, world, busy, f"Wartet {i}") for i in range(2)]
        other = await schedule(database, world, calm, "Anderer Kanal geht raus")
        await run_publisher(database, settings)

        assert (await load(database, other.id)).status is S.published
        for publication in waiting:
            deferred = await load(database, publication.id)
            assert deferred.status is S.pending
            assert deferred.error_code == "throttled"
            assert deferred.attempts == 0  # waiting is not an attempt
            assert deferred.attempt_started_at is None
            assert deferred.next_attempt_at >= row.blocked_until - timedelta(seconds=1)
            assert "Auslastung" in (deferred.last_error or "")
        assert len(sandbox_posts(publishing_env, busy)) == 1
        # Still blocked: even when due, nothing is claimed for that account.
        for publication in waiting:
            await make_due(database, publication.id)
        await run_publisher(database, settings)
        assert {(await load(database, p.id)).status for p in waiting} == {S.pending}
        assert len(sandbox_posts(publishing_env, busy)) == 1

        # The window regains (platform usage low again, our block has run out).
        set_usage(publishing_env, 10, busy.account_id)
        async with database.session_scope() as session:
            stored = await session.get(PublishingThrottle, f"facebook:{busy.account_id}")
            assert stored is not None
            stored.blocked_until = utc_now() - timedelta(seconds=1)
        for publication in waiting:
            await make_due(database, publication.id)
        await run_publisher(database, settings)

        assert {(await load(database, p.id)).status for p in waiting} == {S.published}
        assert len(sandbox_posts(publishing_env, busy)) == 3
        lifted = await throttle_row(database, f"facebook:{busy.account_id}")
        assert lifted is not None
        assert lifted.blocked_until is None
        assert lifted.usage_percent < 90

    async def test_app_usage_blocks_every_meta_account(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        a, b = await two_pages(database, settings, publishing_env, world)
        set_usage(publishing_env, 96)
        await schedule(database, world, a, "Geht noch raus")
        await run_publisher(database, settings)
        row = await throttle_row(database, "meta:app")
        assert row is not None
        assert row.blocked_until is not None

        later = await schedule(database, world, b, "Wartet auf die App")
        await run_publisher(database, settings)
        assert (await load(database, later.id)).status is S.pending
        assert (await load(database, later.id)).error_code == "throttled"
        assert sandbox_posts(publishing_env, b) == []


class TestConcurrencyCap:
    async def test_two_workers_respect_the_per_account_cap(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        settings.publish_max_in_flight_per_account = 2
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "cap")
        publications = [await schedule(database, world, target, f"Kappe {i}") for i in range(8)]
        publishing_env.control.fault(
            "latency", r"^/mastodon/api/v1/statuses$", method="POST", latency_ms=300, times=8
        )
        pool = [Worker(database, settings, name=f"w{i}") for i in range(2)]

        for _ in range(12):
            await asyncio.gather(*(worker.run_pollers() for worker in pool))
            if {(await load(database, p.id)).status for p in publications} == {S.published}:
                break

        done = [await load(database, p.id) for p in publications]
        assert {p.status for p in done} == {S.published}
        assert all(p.attempts == 1 for p in done)
        assert len(sandbox_posts(publishing_env, target)) == 8
        seen: dict[str, Any] = publishing_env.control._call("GET", "/in-flight")
        assert seen["max"][f"mastodon:{target.account_id}"] == 2
