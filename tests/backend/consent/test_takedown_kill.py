"""FEAT-4 drill under worker kill (REL-11): a real worker process is killed (SIGKILL) while its
DELETE calls are in flight; two successors race for the expired leases. Every publication is
deleted on the platform exactly once: exactly 3 platform DELETE calls (the sandbox's
``GET /_control/deletes``), 0 duplicates, in both ways to die:

``hang`` — the killed calls never reached the platform: the successors read each post
(``Connector.exists``), find it still there and delete it (their DELETEs are the only ones);
``latency`` — the platform deleted the posts but the worker died before recording it: the
successors read each post, find it gone and record it deleted without calling DELETE again."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from consent.support import OFFICER, live_post, three_targets, withdraw
from fixtures.consents import make_consent
from fixtures.sandbox import SandboxServer
from fixtures.world import World
from publishing.support import login_as, publishing_env, sandbox_posts
from publishing.test_worker_kill import output, stop, worker_env
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.config import Settings
from app.consent.models import ConsentTakedown, TakedownStatus
from app.kit.db import Database
from app.posts.models import Post, PostStatus
from app.publishing.models import Publication
from app.publishing.models import PublicationStatus as S

__all__ = ["publishing_env"]
BACKEND = Path(__file__).resolve().parents[3] / "backend"
DELETE = r"^/mastodon/api/v1/statuses/\d+$"
LEASE_SECONDS = 4


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m app worker`` from this checkout's backend (its own ``app`` package)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app", "worker"], env=env, cwd=BACKEND,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


async def rows(database: Database) -> list[ConsentTakedown]:
    async with database.session_scope() as session:
        return list((await session.execute(select(ConsentTakedown))).scalars())


async def wait_for(database: Database, done: object, seconds: float, log: Path) -> None:
    assert callable(done)
    deadline = time.monotonic() + seconds
    while not done(await rows(database)):
        if time.monotonic() > deadline:
            states = [(r.status, r.locked_by, r.attempts) for r in await rows(database)]
            raise AssertionError(f"timeout: {states}\n{output(log)}")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("fault", ["hang", "latency"])
async def test_sigkill_mid_delete_then_two_successors_delete_each_exactly_once(
    fault: str, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
    settings: Settings, world: World, tmp_path: Path,
) -> None:  # fmt: skip
    targets = await three_targets(database, settings, publishing_env, world)
    consent = await make_consent(database, world)
    post = await live_post(database, settings, world, targets, "Drill", consent)
    publishing_env.control.fault(
        fault, DELETE, method="DELETE", latency_ms=3000, hang_seconds=10, times=3
    )
    env = worker_env(database, settings, publishing_env) | {
        "KLINIKFUNK_PUBLISH_LEASE_SECONDS": str(LEASE_SECONDS),
        "KLINIKFUNK_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONPATH": str(BACKEND),
    }
    log = tmp_path / "workers.log"
    assert (await withdraw(client, await login_as(client, world, OFFICER), consent)).is_success

    first = start_worker(env, log)
    try:
        await wait_for(
            database, lambda rs: any(r.status is TakedownStatus.deleting for r in rs), 30, log
        )
        await asyncio.sleep(0.3)  # let the worker send its DELETE calls
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=5)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=5)
    assert first.returncode == -signal.SIGKILL
    killed = await rows(database)
    assert any(r.status is TakedownStatus.deleting for r in killed)
    assert all(r.status is not TakedownStatus.deleted for r in killed)
    if fault == "latency":
        # Killed after the platform deleted: the delayed DELETEs land at the platform.
        deadline = time.monotonic() + 10
        while len(publishing_env.control.deletes("mastodon")) < 3:
            assert time.monotonic() < deadline, publishing_env.control.deletes("mastodon")
            await asyncio.sleep(0.05)
        assert all(sandbox_posts(publishing_env, t) == [] for t in targets)
    else:
        assert publishing_env.control.deletes("mastodon") == []  # never reached the platform

    publishing_env.control.client.delete("/faults").raise_for_status()
    successors = [start_worker(env, log), start_worker(env, log)]
    try:
        await wait_for(
            database, lambda rs: all(r.status is TakedownStatus.deleted for r in rs), 60, log
        )
    finally:
        for process in successors:
            stop(process)

    calls = publishing_env.control.deletes("mastodon")
    assert all(sandbox_posts(publishing_env, t) == [] for t in targets)
    assert len(calls) == 3, calls  # exactly one DELETE per publication, no repeat
    assert all(c["deleted"] for c in calls), calls
    assert len({c["object_id"] for c in calls}) == 3, calls
    async with database.session_scope() as session:
        deleted = list(
            (
                await session.execute(
                    select(AuditEvent).where(AuditEvent.action == "publication.deleted")
                )
            ).scalars()
        )
        # latency: found gone by the read; hang: found present by the read, then deleted.
        assert [e.details["reconciled"] for e in deleted] == [fault == "latency"] * 3
        assert all(e.details["attempts"] == 2 for e in deleted), [e.details for e in deleted]
        statuses = (
            await session.execute(select(Publication.status).where(Publication.post_id == post.id))
        ).scalars()
        assert list(statuses) == [S.deleted] * 3
        fresh = await session.get(Post, post.id)
        assert fresh is not None
        assert fresh.status is PostStatus.taken_down
