"""Withdrawal and expiry take live publications down on the sandbox: exactly one DELETE per
publication, through racing workers, duplicate jobs, 404s, 5xx, expired tokens."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from consent.support import (
    EDITOR,
    OFFICER,
    drain,
    link,
    live_post,
    make_jobs_due,
    notifications,
    post_status,
    publications,
    takedowns,
    three_targets,
    withdraw,
)
from fixtures.consents import make_consent
from fixtures.helpers import audit_actions, count
from fixtures.sandbox import SandboxServer
from fixtures.world import World
from publishing.support import login_as, publishing_env, sandbox_posts, schedule

from app.channels.models import Channel, ChannelStatus
from app.config import Settings
from app.consent import tasks as consent_tasks
from app.consent.models import Consent, TakedownStatus
from app.consent.takedown import Takedowns
from app.kit.db import Database
from app.kit.time import utc_now
from app.posts.models import Post, PostStatus
from app.publishing.models import PublicationStatus as S
from app.worker.models import Job
from app.worker.runner import TaskContext

__all__ = ["publishing_env"]
DELETE_STATUS = r"^/mastodon/api/v1/statuses/\d+$"


def deleted_calls(sandbox: SandboxServer) -> list[dict[str, object]]:
    return [c for c in sandbox.control.deletes("mastodon") if c["deleted"]]


class TestWithdrawalTakedown:
    async def test_three_live_publications_exactly_three_deletes(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        targets = await three_targets(database, settings, publishing_env, world)
        consent = await make_consent(database, world)
        post = await live_post(database, settings, world, targets, "Danke, Station 3", consent)

        response = await withdraw(client, await login_as(client, world, OFFICER), consent)

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "withdrawn"
        assert len(await takedowns(database)) == 3
        assert await count(database, Job, Job.task == "consent.takedown") == 3
        await drain(database, settings)
        calls = publishing_env.control.deletes("mastodon")
        assert len(calls) == 3
        assert all(c["deleted"] for c in calls)
        assert all(sandbox_posts(publishing_env, t) == [] for t in targets)
        assert [p.status for p in await publications(database, post.id)] == [S.deleted] * 3
        assert {t.status for t in await takedowns(database)} == {TakedownStatus.deleted}
        assert await post_status(database, post.id) is PostStatus.taken_down
        officer, editor = world.user(OFFICER).id, world.user(EDITOR).id
        for kind in ("consent_takedown_started", "consent_takedown_finished"):
            assert {n.user_id for n in await notifications(database, kind)} == {officer, editor}
        actions = await audit_actions(database)
        assert "consent.withdrawn" in actions
        assert actions.count("publication.takedown_requested") == 3
        assert actions.count("publication.deleted") == 3
        assert "post.taken_down" in actions
        # Nothing more happens: another round deletes nothing.
        await make_jobs_due(database)
        await drain(database, settings)
        assert len(publishing_env.control.deletes("mastodon")) == 3

    async def test_two_racing_workers_and_duplicate_jobs_delete_once(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        targets = await three_targets(database, settings, publishing_env, world)
        first, second = await make_consent(database, world), await make_consent(database, world)
        post = await live_post(database, settings, world, targets, "Race", first, second)
        headers = await login_as(client, world, OFFICER)

        assert (await withdraw(client, headers, first)).status_code == 200
        assert (await withdraw(client, headers, second)).status_code == 200
        # Two consents, one takedown per publication.
        rows = await takedowns(database)
        assert len(rows) == 3
        # The same takedown delivered twice at once, plus two workers racing for the queue.
        await asyncio.gather(
            *(
                consent_tasks.takedown(TaskContext(database, settings, job_id, 1), str(row.id))
                for row in rows
                for job_id in (row.id, row.publication_id)
            ),
            return_exceptions=True,
        )
        await drain(database, settings, "worker-a", "worker-b")

        assert len(publishing_env.control.deletes("mastodon")) == 3
        assert [p.status for p in await publications(database, post.id)] == [S.deleted] * 3
        assert await post_status(database, post.id) is PostStatus.taken_down

    async def test_pending_publications_are_held_back(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        [target, *_] = await three_targets(database, settings, publishing_env, world)
        pending = await schedule(
            database, world, target, "Später", due_at=utc_now() + timedelta(minutes=5)
        )
        consent = await make_consent(database, world)
        async with database.session_scope() as session:
            post = await session.get(Post, pending.post_id)
            assert post is not None
        await link(database, post, consent)

        response = await withdraw(client, await login_as(client, world, OFFICER), consent)

        assert response.status_code == 200
        [publication] = await publications(database, pending.post_id)
        assert publication.status is S.paused
        assert publication.error_code == "consent_ended"
        assert await takedowns(database) == []
        await make_jobs_due(database)
        await drain(database, settings)
        assert sandbox_posts(publishing_env, target) == []
        assert publishing_env.control.deletes() == []

    async def test_already_deleted_on_platform_counts_as_deleted(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        [target] = (await three_targets(database, settings, publishing_env, world))[:1]
        post = await live_post(database, settings, world, [target], "Schon weg")
        [publication] = await publications(database, post.id)
        async with httpx.AsyncClient() as http:
            gone = await http.delete(
                f"{publishing_env.mastodon_url}/api/v1/statuses/{publication.platform_post_id}",
                headers={"Authorization": f"Bearer {target.token}"},
            )
        assert gone.status_code == 200
        consent = await make_consent(database, world)
        await link(database, post, consent)

        await withdraw(client, await login_as(client, world, OFFICER), consent)
        await drain(database, settings)

        [call_by_hand, call_by_takedown] = publishing_env.control.deletes("mastodon")
        assert call_by_hand["deleted"]
        assert not call_by_takedown["deleted"]
        assert (await publications(database, post.id))[0].status is S.deleted
        assert await post_status(database, post.id) is PostStatus.taken_down

    async def test_transient_error_is_retried_with_backoff(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        [target] = (await three_targets(database, settings, publishing_env, world))[:1]
        consent = await make_consent(database, world)
        post = await live_post(database, settings, world, [target], "Störung", consent)
        publishing_env.control.fault("status", DELETE_STATUS, method="DELETE", status=503)

        await withdraw(client, await login_as(client, world, OFFICER), consent)
        await drain(database, settings)

        [row] = await takedowns(database)
        assert row.status is TakedownStatus.pending
        assert row.error_code == "transient"
        assert row.next_attempt_at > utc_now() - timedelta(seconds=1)
        assert (await publications(database, post.id))[0].status is S.deleting
        assert await post_status(database, post.id) is PostStatus.published
        await make_jobs_due(database)
        await drain(database, settings)
        assert len(deleted_calls(publishing_env)) == 1
        assert len(publishing_env.control.deletes()) == 1  # the 503 never reached the handler
        assert (await takedowns(database))[0].attempts == 2
        assert await post_status(database, post.id) is PostStatus.taken_down

    async def test_expired_token_blocks_until_reconnect(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        [target] = (await three_targets(database, settings, publishing_env, world))[:1]
        consent = await make_consent(database, world)
        post = await live_post(database, settings, world, [target], "Token", consent)
        publishing_env.control.revoke_token(target.token)

        await withdraw(client, await login_as(client, world, OFFICER), consent)
        await drain(database, settings)

        [row] = await takedowns(database)
        assert row.status is TakedownStatus.blocked
        assert row.last_error
        assert "Verbindung" in row.last_error
        async with database.session_scope() as session:
            channel = await session.get(Channel, target.channel.id)
            assert channel is not None
            assert channel.status is ChannelStatus.needs_reconnect
        assert (await publications(database, post.id))[0].status is S.deleting
        failed = await notifications(database, "consent_takedown_failed")
        assert {n.user_id for n in failed} == {world.user(OFFICER).id, world.user(EDITOR).id}
        assert "publication.takedown_blocked" in await audit_actions(database)
        assert deleted_calls(publishing_env) == []
        # GET /consents/{id} shows the takedown as waiting.
        detail = await client.get(
            f"/api/v1/consents/{consent.id}", headers=await login_as(client, world, OFFICER)
        )
        [linked] = detail.json()["posts"]
        assert linked["publications"][0]["takedown_status"] == "blocked"

    async def test_editor_cannot_withdraw(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        consent = await make_consent(database, world)

        response = await withdraw(client, await login_as(client, world, EDITOR), consent)

        assert response.status_code == 403
        async with database.session_scope() as session:
            fresh = await session.get(Consent, consent.id)
            assert fresh is not None
            assert fresh.withdrawn_at is None


class TestExpiry:
    async def test_periodic_job_ends_expired_consents_with_a_controlled_clock(
        self, publishing_env: SandboxServer, database: Database, settings: Settings,
        world: World, monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        targets = await three_targets(database, settings, publishing_env, world)
        until = utc_now() + timedelta(days=3)
        consent = await make_consent(database, world, valid_until=until)
        post = await live_post(database, settings, world, targets[:2], "Ablauf", consent)
        ctx = TaskContext(database, settings, consent.id, 1)

        await consent_tasks.expire(ctx)  # the real now: still valid
        assert await takedowns(database) == []

        monkeypatch.setattr(consent_tasks, "utc_now", lambda: until + timedelta(seconds=1))
        await consent_tasks.expire(ctx)
        await consent_tasks.expire(ctx)  # idempotent
        await drain(database, settings)

        assert len(await takedowns(database)) == 2
        assert len(deleted_calls(publishing_env)) == 2
        assert await post_status(database, post.id) is PostStatus.taken_down
        assert (await audit_actions(database)).count("consent.expired") == 1

    async def test_warning_fourteen_days_ahead_is_sent_once(
        self, database: Database, settings: Settings, world: World,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        until = utc_now() + timedelta(days=20)
        consent = await make_consent(database, world, valid_until=until)
        await make_consent(database, world, valid_until=utc_now() + timedelta(days=40))
        ctx = TaskContext(database, settings, consent.id, 1)

        await consent_tasks.warn_expiring(ctx)
        assert await notifications(database, "consent_expiring") == []

        monkeypatch.setattr(consent_tasks, "utc_now", lambda: until - timedelta(days=13))
        await consent_tasks.warn_expiring(ctx)
        await consent_tasks.warn_expiring(ctx)

        warned = await notifications(database, "consent_expiring")
        assert [n.user_id for n in warned] == [world.user(OFFICER).id]
        assert warned[0].target_id == consent.id


class TestTakedownUnit:
    async def test_unknown_takedown_is_a_no_op(
        self, publishing_env: SandboxServer, database: Database, settings: Settings
    ) -> None:
        await Takedowns(database, settings, "w").run(uuid.uuid4())
        assert publishing_env.control.deletes() == []
