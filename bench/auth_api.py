"""Authenticated request throughput on one API process, next to the machine's ceiling.

Starts `klinikfunk serve` (SQLite, or PostgreSQL with KLINIKFUNK_DATABASE_URL) on a loopback
port, signs in once, then drives `GET /api/v1/me` (token check, session row, user, roles,
clinics) with N concurrent clients for a fixed time, and does the same for `GET /api/v1/health`
(no auth, one `SELECT 1`) as the ceiling of this machine and server in the same run.

    backend/.venv/bin/python bench/auth_api.py [--seconds 10] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PORT = 8791
PASSWORD = "Bench-Demo-Passwort-2026"


async def drive(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], seconds: float, concurrency: int
) -> tuple[float, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            response = await client.get(path, headers=headers)
            response.raise_for_status()
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    return len(latencies) / elapsed, p95


async def run(seconds: float, concurrency: int) -> None:
    base = f"http://127.0.0.1:{PORT}"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _ in range(100):
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
        login = await client.post(
            "/api/v1/auth/login", json={"email": "admin@klinikfunk.example", "password": PASSWORD}
        )
        login.raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        await drive(client, "/api/v1/health", {}, 1, concurrency)  # warm-up
        ceiling, ceiling_p95 = await drive(client, "/api/v1/health", {}, seconds, concurrency)
        me, me_p95 = await drive(client, "/api/v1/me", auth, seconds, concurrency)
    print(f"GET /api/v1/health (ceiling): {ceiling:8.0f} req/s   p95 {ceiling_p95:6.1f} ms")
    print(
        f"GET /api/v1/me (authorized):  {me:8.0f} req/s   p95 {me_p95:6.1f} ms   ({me / ceiling:.0%} of ceiling)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ, "KLINIKFUNK_PORT": str(PORT), "KLINIKFUNK_DATA_DIR": data,
            "KLINIKFUNK_DEMO": "1", "KLINIKFUNK_DEMO_PASSWORD": PASSWORD,
            "KLINIKFUNK_EMBEDDED_WORKER": "false", "KLINIKFUNK_LOG_LEVEL": "WARNING",
        }  # fmt: skip
        cli = str(ROOT / "backend/.venv/bin/klinikfunk")
        subprocess.run([cli, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        server = subprocess.Popen(
            [cli, "serve"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            print(
                f"database: {env.get('KLINIKFUNK_DATABASE_URL', 'SQLite (embedded default)')}, "
                f"{args.concurrency} concurrent clients, {args.seconds:.0f} s each",
                file=sys.stderr,
            )
            asyncio.run(run(args.seconds, args.concurrency))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
