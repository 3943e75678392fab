"""Publications due in the same instant, published by real workers, next to the sandbox's ceiling.

Creates a scratch PostgreSQL database (dropped at the end), migrates it, starts the sandbox
platform as its own process (`python -m sandbox`, rate limits lifted), creates one organization,
one clinic and 20 Mastodon sandbox accounts as channels (tokens sealed with the same KEK the
workers get), inserts N posts with one publication each in bulk, starts `klinikfunk worker`
processes and then moves every publication to the same due instant T (a few seconds ahead) in
one UPDATE. It waits until every publication rests, then prints the time from T to the last
publication, throughput, lateness (published_at - due_at) p50/p95/p99, the outcome by status
and the duplicates counted on the sandbox (platform posts per publication text).

The ceiling, measured first in the same run: N direct `POST /api/v1/statuses` to the same
sandbox with the concurrency the workers use (workers x publish concurrency), over httpx.

    backend/.venv/bin/python bench/publish_due.py [--n 1000] [--workers 2] [--timeout 240]
    backend/.venv/bin/python bench/publish_due.py --quick   # 200 due, 60 s bound: development
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
PYTHON = str(BACKEND / ".venv/bin/python")
APP = [PYTHON, "-m", "app"]  # this checkout's code (the venv's `klinikfunk` may be another's)
PG = "postgresql://postgres@127.0.0.1:5432"
CHANNELS = 20
LEAD_SECONDS = 3.0  # T is this far after the UPDATE that makes everything due
RESTING = ("published", "failed", "unconfirmed", "missed", "paused", "deleted")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def wait_http(url: str, seconds: float = 20) -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


# ---------- the ceiling: the sandbox's raw publish capacity ----------


async def ceiling(base: str, n: int, concurrency: int) -> tuple[float, float]:
    """N direct status posts over CHANNELS fresh accounts; returns (posts/s, p99 ms)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as control:
        tokens = [
            (
                await control.post("/_control/mastodon/accounts", json={"username": f"ceil_{i}"})
            ).json()["access_token"]
            for i in range(CHANNELS)
        ]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    queue = iter(range(n))

    async def client_loop(client: httpx.AsyncClient) -> None:
        for i in queue:
            start = time.perf_counter()
            response = await client.post(
                "/mastodon/api/v1/statuses",
                json={"status": f"Ceiling {i}", "visibility": "public", "language": "de"},
                headers={
                    "Authorization": f"Bearer {tokens[i % CHANNELS]}",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
            response.raise_for_status()
            latencies.append(time.perf_counter() - start)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return n / elapsed, pct(latencies, 0.99) * 1000


# ---------- the world: organization, clinic, channels, posts, publications ----------


async def seed(db_url: str, sandbox: str, n: int) -> None:
    """Channels with sealed tokens through the product code; posts and publications in bulk,
    due far in the future (made due together later)."""
    sys.path.insert(0, str(BACKEND))
    import app.models  # noqa: F401
    from app.channels.models import Channel
    from app.channels.service import store_credentials
    from app.config import Settings
    from app.connectors.base import Credentials, Platform
    from app.kit.db import Database
    from app.posts.models import Post, PostCategory, PostStatus
    from app.publishing.models import Publication, PublicationStatus
    from app.tenancy.models import Clinic, Organization
    from app.users.models import User
    from app.vault.service import SecretBox, keyring_from
    from sqlalchemy import insert

    settings = Settings()
    box = SecretBox(keyring_from(settings))
    database = Database(db_url)
    async with httpx.AsyncClient(base_url=sandbox, timeout=30) as control:
        accounts = [
            (
                await control.post("/_control/mastodon/accounts", json={"username": f"klinik_{i}"})
            ).json()
            for i in range(CHANNELS)
        ]
    try:
        async with database.session_scope() as session:
            org = Organization(name="Bench Kliniken", slug="bench")
            session.add(org)
            await session.flush()
            clinic = Clinic(organization_id=org.id, name="Klinikum Bench", slug="bench")
            user = User(organization_id=org.id, email="bench@klinikfunk.example", full_name="B")
            session.add_all([clinic, user])
            await session.flush()
            channels = []
            for i, account in enumerate(accounts):
                channel = Channel(
                    organization_id=org.id, clinic_id=clinic.id, platform=Platform.MASTODON,
                    display_name=f"Klinik {i}", handle=f"klinik_{i}",
                    platform_account_id=account["account_id"],
                    instance_url=f"{sandbox}/mastodon",
                )  # fmt: skip
                session.add(channel)
                await session.flush()
                await store_credentials(
                    session, box, channel, Credentials(access_token=account["access_token"])
                )
                channels.append(channel.id)
        later = datetime.now(UTC) + timedelta(days=1)
        now = datetime.now(UTC)
        posts: list[dict[str, Any]] = []
        publications: list[dict[str, Any]] = []
        for i in range(n):
            post_id, publication_id = uuid.uuid4(), uuid.uuid4()
            posts.append(
                {
                    "id": post_id,
                    "created_at": now,
                    "updated_at": now,
                    "organization_id": org.id,
                    "clinic_id": clinic.id,
                    "title": f"Bench {i}",
                    "category": PostCategory.health_tip,
                    "language": "de",
                    "base_text": f"Gesundheitstipp {i} aus dem Benchmark [{publication_id}]",
                    "utm": {},
                    "scheduled_at": later,
                    "status": PostStatus.scheduled,
                    "shows_patient": False,
                    "content_version": 1,
                    "content_hash": "",
                    "created_by_id": user.id,
                }
            )
            publications.append(
                {
                    "id": publication_id,
                    "created_at": now,
                    "updated_at": now,
                    "post_id": post_id,
                    "channel_id": channels[i % CHANNELS],
                    "organization_id": org.id,
                    "clinic_id": clinic.id,
                    "status": PublicationStatus.pending,
                    "due_at": later,
                    "next_attempt_at": later,
                    "attempts": 0,
                    "content_hash": "",
                }
            )
        async with database.session_scope() as session:
            for start in range(0, n, 2000):
                await session.execute(insert(Post), posts[start : start + 2000])
                await session.execute(insert(Publication), publications[start : start + 2000])
    finally:
        await database.dispose()


# ---------- the run ----------


def start_workers(env: dict[str, str], logs: list[Any]) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [*APP, "worker"], cwd=BACKEND, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        for log in logs
    ]


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time of one process (utime + stime), or of the whole machine when pid is None."""
    tick = os.sysconf("SC_CLK_TCK")
    if pid is None:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        idle = int(fields[3]) + int(fields[4])
        return (sum(int(f) for f in fields[:8]) - idle) / tick
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick


async def run(args: argparse.Namespace, db_name: str, env: dict[str, str], port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    await wait_http(f"{base}/_control/clock")
    async with httpx.AsyncClient(base_url=base, timeout=30) as control:
        big = 1_000_000_000
        (
            await control.post(
                "/_control/rate-limits",
                json={"mastodon_rate_limit": big, "mastodon_rate_window_seconds": 3600},
            )
        ).raise_for_status()

    concurrency = args.workers * args.concurrency
    raw_rate, raw_p99 = await ceiling(base, args.n, concurrency)
    print(
        f"sandbox ceiling: {args.n} direct POST /api/v1/statuses, concurrency {concurrency}: "
        f"{raw_rate:8.0f} posts/s   p99 {raw_p99:6.1f} ms   (all {args.n} in "
        f"{args.n / raw_rate:5.1f} s)",
        flush=True,
    )

    seed_started = time.perf_counter()
    await seed(env["KLINIKFUNK_DATABASE_URL"], base, args.n)
    print(f"seeded {args.n} posts + publications in {time.perf_counter() - seed_started:.1f} s")

    workers = await asyncio.to_thread(start_workers, env, args.logs)
    args.procs.extend(workers)
    await asyncio.sleep(2.0)  # imports, engine, first empty poll
    pg = await asyncpg.connect(f"{PG}/{db_name}")
    try:
        due = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
        await pg.execute("UPDATE publications SET due_at = $1, next_attempt_at = $1", due)
        await pg.execute("UPDATE posts SET scheduled_at = $1", due)
        xact_sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1"
        xacts_before = await pg.fetchval(xact_sql, db_name)
        pids = {"sandbox": [args.procs[0].pid], "workers": [w.pid for w in workers]}
        cpu_before = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
        machine_before, wall_before = cpu_seconds(), time.monotonic()
        deadline = time.monotonic() + LEAD_SECONDS + args.timeout
        resting = 0
        while time.monotonic() < deadline:
            resting = await pg.fetchval(
                "SELECT count(*) FROM publications WHERE status = ANY($1::text[])", list(RESTING)
            )
            if resting >= args.n:
                break
            await asyncio.sleep(0.25)
        cpu = {k: sum(cpu_seconds(p) for p in v) - cpu_before[k] for k, v in pids.items()}
        backends = await pg.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            db_name,
        )
        cpu["postgres"] = sum(cpu_seconds(r["pid"]) for r in backends)  # since connect, ~this run
        machine, wall = cpu_seconds() - machine_before, time.monotonic() - wall_before
        await asyncio.sleep(1.0)  # pg_stat_database is updated lazily
        xacts = await pg.fetchval(xact_sql, db_name) - xacts_before
        for proc in workers:
            if proc.poll() is not None:
                print(f"worker pid {proc.pid} exited early with {proc.returncode}")
        rows = await pg.fetch(
            "SELECT status, error_code, count(*) AS n FROM publications "
            "GROUP BY status, error_code ORDER BY n DESC"
        )
        published = await pg.fetch(
            "SELECT u.published_at, u.due_at, u.attempts, p.base_text FROM publications u "
            "JOIN posts p ON p.id = u.post_id WHERE u.status = 'published'"
        )
        texts = {
            r["base_text"]
            for r in await pg.fetch(
                "SELECT p.base_text FROM posts p JOIN publications u ON u.post_id = p.id"
            )
        }
    finally:
        await pg.close()

    async with httpx.AsyncClient(base_url=base, timeout=60) as control:
        visible = (await control.get("/_control/posts", params={"platform": "mastodon"})).json()
    on_platform = Counter(p["text"] for p in visible if p["text"] in texts)
    extra = sum(c - 1 for c in on_platform.values())

    lateness = [(r["published_at"] - r["due_at"]).total_seconds() for r in published]
    last = max((r["published_at"] for r in published), default=due)
    span = (last - due).total_seconds()
    retried = sum(1 for r in published if r["attempts"] > 1)
    print(
        f"publish_due: {args.n} due at T with {args.workers} workers "
        f"(batch {args.batch_size}, {args.concurrency} calls in flight each); {resting}/{args.n} resting"
        + ("" if resting >= args.n else f" -- TIMEOUT after {args.timeout:.0f} s")
    )
    print(
        f"  last published {span:6.1f} s after T   throughput {len(published) / max(span, 1e-9):7.0f}"
        f" posts/s   ({len(published) / max(span, 1e-9) / raw_rate:.0%} of the sandbox ceiling)"
    )
    if lateness:
        print(
            f"  lateness p50 {pct(lateness, 0.5):6.2f} s   p95 {pct(lateness, 0.95):6.2f} s   "
            f"p99 {pct(lateness, 0.99):6.2f} s   max {max(lateness):6.2f} s"
        )
    print(
        f"  sandbox: {sum(on_platform.values())} posts for {len(on_platform)} publications, "
        f"duplicates {extra}; published but missing on platform "
        f"{sum(1 for r in published if r['base_text'] not in on_platform)}; "
        f"published after a retry {retried}"
    )
    print(
        f"  CPU from the UPDATE to the end ({wall:.1f} s wall, 2 cores = {2 * wall:.0f} core-s): "
        f"machine {machine:.1f} s, workers {cpu['workers']:.1f} s, sandbox {cpu['sandbox']:.1f} s, "
        f"PostgreSQL backends {cpu['postgres']:.1f} s; "
        f"{xacts / max(len(published), 1):.1f} PostgreSQL transactions per publication"
    )
    per_post = cpu["sandbox"] / max(len(published), 1)
    print(
        f"  sandbox CPU {per_post * 1000:.2f} ms per publication -> about {1 / max(per_post, 1e-9):.0f}"
        " posts/s per free core (the direct-post ceiling above is also bound by its own client)"
    )
    print(
        "  by status: "
        + ", ".join(f"{r['status']}/{r['error_code'] or '-'} {r['n']}" for r in rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=50, help="KLINIKFUNK_PUBLISH_BATCH_SIZE")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="KLINIKFUNK_PUBLISH_CONCURRENCY (per worker)"
    )
    parser.add_argument("--timeout", type=float, default=240, help="seconds after T")
    parser.add_argument("--quick", action="store_true", help="200 due, 60 s bound")
    args = parser.parse_args()
    if args.quick:
        args.n, args.timeout = 200, 60.0
    args.procs = []
    db_name = f"klinikfunk_bench_{secrets.token_hex(4)}"
    port = free_port()
    kek = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ, "KLINIKFUNK_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db_name}",
            "KLINIKFUNK_DATA_DIR": data, "KLINIKFUNK_KEKS": json.dumps({"bench": kek}),
            "KLINIKFUNK_ACTIVE_KEK": "bench", "KLINIKFUNK_LOG_LEVEL": "WARNING",
            "KLINIKFUNK_MASTODON_URL": f"http://127.0.0.1:{port}/mastodon",
            "KLINIKFUNK_PUBLISH_BATCH_SIZE": str(args.batch_size),
            "KLINIKFUNK_PUBLISH_CONCURRENCY": str(args.concurrency),
        }  # fmt: skip
        os.environ.update(env)  # the seeding in this process seals with the same KEK
        args.logs = [open(Path(data) / f"worker{i}.log", "w") for i in range(args.workers)]
        sandbox_log = open(Path(data) / "sandbox.log", "w")
        asyncio.run(_admin(f"CREATE DATABASE {db_name}"))
        try:
            subprocess.run(
                [*APP, "migrate"], cwd=BACKEND, env=env, check=True, stdout=subprocess.DEVNULL
            )
            sandbox = subprocess.Popen(
                [PYTHON, "-m", "sandbox", "--port", str(port)], cwd=BACKEND, env=env,
                stdout=subprocess.DEVNULL, stderr=sandbox_log,
            )  # fmt: skip
            args.procs.append(sandbox)
            asyncio.run(run(args, db_name, env, port))
        finally:
            for proc in args.procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in args.procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            for log in [*args.logs, sandbox_log]:
                log.close()
            errors = [
                line
                for i in range(args.workers)
                for line in (Path(data) / f"worker{i}.log").read_text().splitlines()
                if "ERROR" in line or "Traceback" in line
            ]
            if errors:
                print(f"worker log: {len(errors)} error lines, first: {errors[0][:300]}")
            asyncio.run(_admin(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(f"{PG}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


if __name__ == "__main__":
    main()
