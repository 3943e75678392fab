"""Webhook ingest on PostgreSQL: signed Meta deliveries accepted and stored per second by one
API process, with zero lost and zero duplicated, next to this machine's ceilings from the same
run (the same POSTs refused by the signature check — HTTP, body, HMAC, no database — and
PostgreSQL's raw rate of one-row committed inserts at the same concurrency).

Starts `klinikfunk serve` (one process, no embedded worker) on a scratch PostgreSQL database
(created and dropped; or KLINIKFUNK_DATABASE_URL), POSTs N distinct signed events plus a share
of duplicate deliveries with C concurrent clients, then counts `webhook_events` and jobs.

    backend/.venv/bin/python bench/webhook_ingest.py [--events 20000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
PORT = 8793
SECRET = "bench-meta-app-secret"
ADMIN_DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
URL = "/api/v1/webhooks/meta"


def body_for(i: int) -> bytes:
    value = {
        "item": "comment", "verb": "add", "comment_id": f"555_{i}", "post_id": "1001_555",
        "parent_id": "1001_555", "from": {"id": str(7000 + i % 50), "name": "Anna Beispiel"},
        "message": f"Wann sind die Besuchszeiten auf Station {i % 12}? Grüße", "created_time": 1764000000 + i,
    }  # fmt: skip
    entry = {"id": "1001", "time": 1764000000 + i, "changes": [{"field": "feed", "value": value}]}
    return json.dumps({"object": "page", "entry": [entry]}, ensure_ascii=False).encode()


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes, sig: str
) -> tuple[int, bytes]:
    """One POST over a kept-alive connection (a lean client: httpx would be the bottleneck)."""
    writer.write(
        (
            f"POST {URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"X-Hub-Signature-256: {sig}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
    )
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def post_all(
    items: list[tuple[bytes, str]], concurrency: int
) -> tuple[float, dict[str, int]]:
    queue = list(reversed(items))
    outcome: dict[str, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        try:
            while queue:
                body, sig = queue.pop()
                status, payload = await _request(reader, writer, body, sig)
                key = str(status)
                if status == 200:
                    key = "stored" if json.loads(payload)["stored"] else "duplicate"
                outcome[key] = outcome.get(key, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(items) / (time.perf_counter() - started), outcome


async def raw_insert_rate(dsn: str, count: int, concurrency: int) -> float:
    """One-row INSERT … ON CONFLICT DO NOTHING, each its own committed transaction."""
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
    async with pool.acquire() as connection:
        await connection.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_raw (id uuid PRIMARY KEY, "
            "key text UNIQUE, received_at timestamptz, body bytea)"
        )
        await connection.execute("ALTER TABLE bench_raw SET LOGGED")
    bodies = [body_for(i) for i in range(count)]
    queue = list(range(count))

    async def worker() -> None:
        async with pool.acquire() as connection:
            while queue:
                i = queue.pop()
                await connection.execute(
                    "INSERT INTO bench_raw VALUES ($1, $2, now(), $3) ON CONFLICT DO NOTHING",
                    uuid.uuid4(), f"k{i}", bodies[i],
                )  # fmt: skip

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    rate = count / (time.perf_counter() - started)
    async with pool.acquire() as connection:
        await connection.execute("DROP TABLE bench_raw")
    await pool.close()
    return rate


async def run(dsn: str, events: int, duplicates: int, concurrency: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", timeout=60) as client:
        for _ in range(150):
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    bodies = [body_for(i) for i in range(events)]
    signed = [(b, signature(b)) for b in bodies]
    forged = [(b, signature(b, "wrong")) for b in bodies]
    await post_all(forged[:500], concurrency)  # warm-up
    ceiling, refused = await post_all(forged, concurrency)
    deliveries = signed + signed[:duplicates]
    accepted, outcome = await post_all(deliveries, concurrency)
    raw = await raw_insert_rate(dsn, events, concurrency)
    connection = await asyncpg.connect(dsn)
    rows = await connection.fetchval("SELECT count(*) FROM webhook_events")
    keys = await connection.fetchval("SELECT count(DISTINCT dedupe_key) FROM webhook_events")
    jobs = await connection.fetchval("SELECT count(*) FROM jobs WHERE task = 'webhooks.process'")
    await connection.close()
    lost = events - keys
    print(
        f"{events} distinct signed events + {duplicates} duplicate deliveries, {concurrency} clients"
    )
    print(f"ceiling, same POSTs refused by the signature check: {ceiling:8.0f} req/s  {refused}")
    print(f"ceiling, PostgreSQL raw committed one-row inserts:  {raw:8.0f} rows/s")
    print(
        f"webhook ingest (verify, store, enqueue, commit):    {accepted:8.0f} events/s  {outcome}"
        f"  ({accepted / ceiling:.0%} of the HTTP ceiling, {accepted / raw:.0%} of raw inserts;"
        " target >= 2000)"
    )
    print(
        f"stored rows {rows}, distinct keys {keys}, jobs {jobs}: lost {lost}, duplicated {rows - keys}"
    )
    if lost or rows != keys or jobs != rows or outcome.get("stored") != events:
        sys.exit("FAILED: loss or duplication")


async def admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN)
    await connection.execute(statement)
    await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--duplicates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    name = f"klinikfunk_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
    try:
        with tempfile.TemporaryDirectory() as data:
            env = {
                **os.environ, "KLINIKFUNK_PORT": str(PORT), "KLINIKFUNK_DATA_DIR": data,
                "KLINIKFUNK_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://"),
                "KLINIKFUNK_META_APP_SECRET": SECRET, "KLINIKFUNK_SANDBOX": "false",
                "KLINIKFUNK_EMBEDDED_WORKER": "false", "KLINIKFUNK_LOG_LEVEL": "ERROR",
            }  # fmt: skip
            # `python -m app` from this checkout (the shared venv's script may point elsewhere)
            cli = [str(ROOT / "backend/.venv/bin/python"), "-m", "app"]
            backend = ROOT / "backend"
            subprocess.run(
                [*cli, "migrate"], env=env, cwd=backend, check=True, stdout=subprocess.DEVNULL
            )
            server = subprocess.Popen(
                [*cli, "serve"], env=env, cwd=backend,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                asyncio.run(run(dsn, args.events, args.duplicates, args.concurrency))
            finally:
                server.terminate()
                server.wait(timeout=10)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
