"""A real worker process is killed (SIGKILL) mid-publish and a second one takes over after the
lease: every publication still ends with exactly one platform post."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from fixtures.sandbox import SandboxServer
from fixtures.world import World
from publishing.support import connect_mastodon, schedule
from sqlalchemy import select

from app.config import Settings
from app.kit.db import Database
from app.publishing.models import Publication
from app.publishing.models import PublicationStatus as S

BACKEND = Path(__file__).resolve().parents[3] / "backend"
# `python -m app` from this checkout: the venv's `klinikfunk` script may point at another one.
WORKER = [str(BACKEND / ".venv" / "bin" / "python"), "-m", "app"]
CREATE = r"^/mastodon/api/v1/statuses$"
COUNT = 5
LATENCY_MS = 3000  # the visible call is in flight when the worker dies ...
LEASE_SECONDS = 5  # ... and the lease outlasts it, as it must (config: publish_lease_seconds)
SETTLED = {S.published, S.failed, S.unconfirmed, S.missed, S.paused, S.deleted}


def worker_env(database: Database, settings: Settings, sandbox: SandboxServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLINIKFUNK_")}
    assert settings.secret_key is not None
    return env | {
        "KLINIKFUNK_ENV": "test",
        "KLINIKFUNK_DATABASE_URL": database.url,
        # Same data dir and secret as the test's settings: the same generated KEK unseals tokens.
        "KLINIKFUNK_DATA_DIR": str(settings.data_dir.resolve()),
        "KLINIKFUNK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "KLINIKFUNK_SANDBOX": "false",
        "KLINIKFUNK_MASTODON_URL": sandbox.mastodon_url,
        "KLINIKFUNK_FACEBOOK_GRAPH_URL": sandbox.graph_url,
        "KLINIKFUNK_INSTAGRAM_GRAPH_URL": sandbox.graph_url,
        "KLINIKFUNK_PUBLISH_LEASE_SECONDS": str(LEASE_SECONDS),
        "KLINIKFUNK_WORKER_POLL_SECONDS": "0.2",
        "KLINIKFUNK_LOG_LEVEL": "INFO",
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [*WORKER, "worker"], env=env, cwd=BACKEND, stdout=out, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


async def publications(database: Database) -> list[Publication]:
    async with database.session_scope() as session:
        return list((await session.execute(select(Publication))).scalars())


def output(log: Path) -> str:
    return log.read_text(errors="replace")


async def wait_for(
    database: Database,
    done: Callable[[list[Publication]], bool],
    seconds: float,
    what: str,
    log: Path,
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        rows = await publications(database)
        if done(rows):
            return
        if time.monotonic() > deadline:
            states = [(p.status, p.attempt_started_at, p.locked_by) for p in rows]
            raise AssertionError(f"timeout waiting for {what}: {states}\n{output(log)}")
        await asyncio.sleep(0.05)


async def test_sigkill_mid_publish_then_successor_publishes_each_exactly_once(
    sandbox_server: SandboxServer,
    database: Database,
    settings: Settings,
    world: World,
    tmp_path: Path,
) -> None:
    target = await connect_mastodon(database, settings, sandbox_server, world.clinic_a, "nord")
    for n in range(COUNT):
        await schedule(database, world, target, f"Gesundheitstipp Nummer {n + 1}: viel trinken.")
    sandbox_server.control.fault(
        "latency", CREATE, method="POST", latency_ms=LATENCY_MS, times=COUNT
    )
    env = worker_env(database, settings, sandbox_server)
    log = tmp_path / "workers.log"

    first = start_worker(env, log)
    try:
        await wait_for(
            database, lambda rows: any(p.attempt_started_at for p in rows), 20, "an armed call", log
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=5)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=5)
    assert first.returncode == -signal.SIGKILL

    # Killed mid-call: armed but not recorded, and nothing recorded as published.
    killed = await publications(database)
    assert any(p.status is S.publishing and p.attempt_started_at for p in killed)
    assert all(p.status is not S.published for p in killed)

    second = start_worker(env, log)
    try:
        await wait_for(
            database, lambda rows: all(p.status in SETTLED for p in rows), 40, "settled", log
        )
    finally:
        stop(second)

    rows = await publications(database)
    posts = sandbox_server.control.posts("mastodon", target.account_id)
    assert [p.status for p in rows] == [S.published] * COUNT, output(log)
    assert len(posts) == COUNT
    assert sorted(p.platform_post_id or "" for p in rows) == sorted(str(p["id"]) for p in posts)
    # The killed calls never reached the handler (the sandbox sees the client disconnect while
    # the latency runs), so the successor's lookup finds nothing and publishes once more.
    armed = {p.id for p in killed if p.attempt_started_at}
    assert all(p.attempts == (2 if p.id in armed else 1) for p in rows), output(log)
