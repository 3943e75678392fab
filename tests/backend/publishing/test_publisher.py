"""The publisher against the sandbox over real HTTP: exactly one platform post per publication
through drops, 5xx, 429, racing workers and dead workers; missed windows; expired tokens."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fixtures.helpers import audit_actions
from fixtures.sandbox import SandboxServer
from fixtures.world import World
from publishing.support import (
    Target,
    connect_facebook,
    connect_linkedin,
    connect_mastodon,
    load,
    load_post,
    make_due,
    publishing_env,
    run_publisher,
    sandbox_posts,
    schedule,
    set_status,
)

from app.channels.models import Channel, ChannelStatus
from app.config import Settings
from app.connectors.base import Account, Credentials, Platform, PublishRequest
from app.connectors.mastodon.connector import MastodonConnector
from app.connectors.settings import ConnectorSettings
from app.kit.db import Database
from app.kit.time import utc_now
from app.posts.models import PostStatus
from app.publishing.models import PublicationStatus as S
from app.worker.runner import Worker

__all__ = ["publishing_env"]
CREATE = {
    "mastodon": r"^/mastodon/api/v1/statuses$",
    "facebook": r"^/graph/v[\d.]+/\d+/feed$",
    "linkedin": r"^/linkedin/rest/posts$",
}


@pytest.fixture(params=["mastodon", "facebook", "linkedin"])
async def target(
    request: pytest.FixtureRequest,
    publishing_env: SandboxServer,
    database: Database,
    settings: Settings,
    world: World,
) -> Target:
    if request.param == "mastodon":
        return await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
    if request.param == "linkedin":
        return await connect_linkedin(database, settings, publishing_env, world.clinic_a)
    return await connect_facebook(database, settings, publishing_env, world.clinic_a)


class TestPublish:
    async def test_publishes_once_and_records_the_platform_post(
        self, target: Target, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        publication = await schedule(database, world, target, "Neue Besuchszeiten ab Montag.")

        assert await run_publisher(database, settings) == 1

        done = await load(database, publication.id)
        posts = sandbox_posts(publishing_env, target)
        assert done.status is S.published
        assert [p["id"] for p in posts] == [done.platform_post_id]
        assert done.platform_url
        assert done.published_at is not None
        assert done.attempts == 1
        assert done.locked_by is None
        assert (await load_post(database, publication.post_id)).status is PostStatus.published
        assert "publication.published" in await audit_actions(database)
        # Nothing more to do: a second iteration publishes nothing.
        assert await run_publisher(database, settings) == 0
        assert len(sandbox_posts(publishing_env, target)) == 1

    async def test_dropped_create_is_reconciled_not_repeated(
        self, target: Target, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        publishing_env.control.fault("drop_after_create", CREATE[target.platform], method="POST")
        publication = await schedule(database, world, target, "Blutspende am Samstag im Foyer.")

        await run_publisher(database, settings)
        unknown = await load(database, publication.id)
        assert unknown.status is S.pending
        assert unknown.error_code == "outcome_unknown"
        assert unknown.attempt_started_at is not None
        assert len(sandbox_posts(publishing_env, target)) == 1

        await make_due(database, publication.id)
        await run_publisher(database, settings)

        done = await load(database, publication.id)
        posts = sandbox_posts(publishing_env, target)
        assert done.status is S.published
        assert [p["id"] for p in posts] == [done.platform_post_id]
        assert done.attempts == 1  # reconciled, not published again

    async def test_server_error_then_success(
        self, target: Target, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        publishing_env.control.fault(
            "status", CREATE[target.platform], method="POST", status=500, body="kaputt"
        )
        publication = await schedule(database, world, target, "Tag der offenen Tür.")

        await run_publisher(database, settings)
        failed_once = await load(database, publication.id)
        assert failed_once.status is S.pending
        assert failed_once.last_error
        assert sandbox_posts(publishing_env, target) == []

        await make_due(database, publication.id)
        await run_publisher(database, settings)
        done = await load(database, publication.id)
        assert done.status is S.published
        assert len(sandbox_posts(publishing_env, target)) == 1

    async def test_rate_limit_reschedules_after_retry_after(
        self, target: Target, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        publishing_env.control.fault(
            "status", CREATE[target.platform], method="POST", status=429,
            body="Too Many Requests", headers={"Retry-After": "120"},
        )  # fmt: skip
        publication = await schedule(database, world, target, "Grippeimpfung jetzt möglich.")
        before = utc_now()

        await run_publisher(database, settings)

        limited = await load(database, publication.id)
        assert limited.status is S.pending
        assert limited.error_code == "rate_limited"
        assert limited.attempt_started_at is None
        assert before + timedelta(seconds=110) < limited.next_attempt_at
        # Mastodon's X-RateLimit-Reset (5 min in the sandbox) may exceed the Retry-After.
        assert limited.next_attempt_at < utc_now() + timedelta(seconds=301)
        assert "Ratenlimit" in (limited.last_error or "")
        assert await run_publisher(database, settings) == 0  # not due before retry_after
        assert sandbox_posts(publishing_env, target) == []

        await make_due(database, publication.id)
        await run_publisher(database, settings)
        assert (await load(database, publication.id)).status is S.published

    async def test_permanent_error_fails_with_the_platform_message(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "x")
        publishing_env.control.fault(
            "status", CREATE["mastodon"], method="POST", status=422,
            body={"error": "Validation failed: Text character limit of 500 exceeded"},
        )  # fmt: skip
        publication = await schedule(database, world, target, "Zu lang")

        await run_publisher(database, settings)

        failed = await load(database, publication.id)
        assert failed.status is S.failed
        assert (failed.last_error or "").startswith("Von Mastodon abgelehnt")
        assert (await load_post(database, publication.post_id)).status is PostStatus.failed
        assert "publication.failed" in await audit_actions(database)


class TestExactlyOnce:
    @pytest.mark.parametrize("workers", [2, 3])
    async def test_racing_workers_publish_each_publication_once(
        self, workers: int, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        settings.publish_batch_size = 4
        targets = [
            await connect_mastodon(database, settings, publishing_env, world.clinic_a, f"acc{i}")
            for i in range(2)
        ]
        publications = [
            await schedule(database, world, targets[i % 2], f"Beitrag Nummer {i}")
            for i in range(12)
        ]
        pool = [Worker(database, settings, name=f"w{i}") for i in range(workers)]

        for _ in range(10):
            await asyncio.gather(*(worker.run_pollers() for worker in pool))
            states = {(await load(database, p.id)).status for p in publications}
            if states == {S.published}:
                break

        done = [await load(database, p.id) for p in publications]
        assert {p.status for p in done} == {S.published}
        posts = [post for t in targets for post in sandbox_posts(publishing_env, t)]
        assert len(posts) == len(publications)
        assert sorted(p["id"] for p in posts) == sorted(str(p.platform_post_id) for p in done)
        assert all(p.attempts == 1 for p in done)

    @pytest.mark.parametrize("reached_platform", [True, False])
    async def test_successor_of_a_dead_worker_reconciles(
        self, reached_platform: bool, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        text = "Neues MRT im Haus A."
        publication = await schedule(database, world, target, text)
        started = utc_now()
        if reached_platform:  # the dead worker's call got through before it died
            account = Account(
                Platform.MASTODON, target.account_id, Credentials(access_token=target.token),
                instance_url=publishing_env.mastodon_url,
            )  # fmt: skip
            async with httpx.AsyncClient() as http:
                connector = MastodonConnector(ConnectorSettings(), http)
                await connector.publish(account, PublishRequest(str(publication.id), text))
        await set_status(
            database, publication.id, S.publishing, locked_by="dead-worker",
            lease_until=utc_now() - timedelta(seconds=1), attempt_started_at=started, attempts=1,
        )  # fmt: skip

        await run_publisher(database, settings, "successor")

        done = await load(database, publication.id)
        posts = sandbox_posts(publishing_env, target)
        assert done.status is S.published
        assert [p["id"] for p in posts] == [done.platform_post_id]
        assert done.attempts == (1 if reached_platform else 2)

    async def test_live_lease_is_not_taken_over(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        publication = await schedule(database, world, target, "In Arbeit")
        await set_status(
            database, publication.id, S.publishing, locked_by="busy-worker",
            lease_until=utc_now() + timedelta(minutes=5), attempt_started_at=utc_now(),
        )  # fmt: skip

        assert await run_publisher(database, settings, "other") == 0
        assert sandbox_posts(publishing_env, target) == []


class TestMissedAndAuth:
    async def test_too_late_is_missed_and_not_published(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        publication = await schedule(
            database, world, target, "Gestern", due_at=utc_now() - timedelta(hours=3)
        )

        await run_publisher(database, settings)

        missed = await load(database, publication.id)
        assert missed.status is S.missed
        assert "120 Minuten" in (missed.last_error or "")
        assert sandbox_posts(publishing_env, target) == []
        assert (await load_post(database, publication.post_id)).status is PostStatus.failed
        assert "publication.missed" in await audit_actions(database)

    async def test_unknown_outcome_past_the_window_is_checked_before_missed(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        publication = await schedule(
            database, world, target, "Spät", due_at=utc_now() - timedelta(hours=3)
        )
        await set_status(database, publication.id, S.pending, attempt_started_at=utc_now())

        await run_publisher(database, settings)

        assert (await load(database, publication.id)).status is S.missed
        assert sandbox_posts(publishing_env, target) == []

    async def test_expired_token_flags_the_channel_and_pauses(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        publishing_env.control.expire_token(target.token)
        publication = await schedule(database, world, target, "Token weg")

        await run_publisher(database, settings)

        paused = await load(database, publication.id)
        assert paused.status is S.paused
        assert paused.error_code == "auth_expired"
        assert "neu verbinden" in (paused.last_error or "")
        async with database.session_scope() as session:
            channel = await session.get(Channel, target.channel.id)
            assert channel is not None
            assert channel.status is ChannelStatus.needs_reconnect
        assert sandbox_posts(publishing_env, target) == []
        actions = await audit_actions(database)
        assert "channel.needs_reconnect" in actions
        assert "publication.paused" in actions
        # Later publications on the flagged channel are paused without calling the platform.
        second = await schedule(database, world, target, "Noch einer")
        await run_publisher(database, settings)
        assert (await load(database, second.id)).status is S.paused

    async def test_tokens_never_reach_the_log(
        self, publishing_env: SandboxServer, database: Database, settings: Settings,
        world: World, caplog: pytest.LogCaptureFixture,
    ) -> None:  # fmt: skip
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        publishing_env.control.fault("drop_after_create", CREATE["mastodon"], method="POST")
        await schedule(database, world, target, "Log")
        with caplog.at_level("DEBUG"):
            await run_publisher(database, settings)
        assert target.token not in caplog.text
