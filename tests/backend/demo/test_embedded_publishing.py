"""The embedded demo publishes for real: the app with the sandbox platform mounted under
/sandbox, served by uvicorn on a loopback port, the demo data seeded, a post written, reviewed
and scheduled through the HTTP API, and the worker publishing it to the same process."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from fixtures.helpers import count
from pydantic import ValidationError
from sqlalchemy import select

from app.channels.models import Channel
from app.channels.settings import ChannelSettings
from app.config import Environment, Settings
from app.connectors.settings import ConnectorSettings
from app.demo.seed import DEMO_POSTS, seed_demo
from app.kit.db import Database
from app.main import create_app
from app.publishing.models import Publication, PublicationStatus
from app.publishing.publisher import close_shared_http
from app.worker.runner import Worker
from sandbox import demo as sandbox_demo
from sandbox.app import create_sandbox
from sandbox.state import SandboxConfig

PASSWORD = "Demo-Passwort-Musterland"
EDITOR = "redaktion@klinikfunk.example"
MEDICAL = "arzt@klinikfunk.example"
LEAD = "kommunikation@klinikfunk.example"
DOCTOR = "arzt@klinikfunk.example"


@pytest.fixture
def loopback() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    yield sock
    sock.close()


@pytest.fixture
def demo_settings(
    settings: Settings,
    database: Database,
    loopback: socket.socket,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """`KLINIKFUNK_SANDBOX` on for this app on its port; the connector and channel settings,
    built from the environment, follow it (as under `klinikfunk serve`)."""
    port = loopback.getsockname()[1]
    for name in ("PUBLIC_URL", "MASTODON_URL", "FACEBOOK_GRAPH_URL", "INSTAGRAM_GRAPH_URL"):
        monkeypatch.delenv(f"KLINIKFUNK_{name}", raising=False)
    monkeypatch.setenv("KLINIKFUNK_ENV", "test")
    monkeypatch.setenv("KLINIKFUNK_SANDBOX", "true")
    monkeypatch.setenv("KLINIKFUNK_HOST", "127.0.0.1")
    monkeypatch.setenv("KLINIKFUNK_PORT", str(port))
    settings.sandbox = True
    settings.port = port
    settings.database_url = database.url
    return settings


@pytest.fixture
def server(demo_settings: Settings, loopback: socket.socket) -> Iterator[str]:
    """The real app (own engine on the test database, no embedded worker) in a uvicorn thread."""
    config = uvicorn.Config(
        create_app(demo_settings),
        log_config=None,
        log_level=None,
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [loopback]}, name="klinikfunk", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{demo_settings.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
async def client(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as c:
        yield c


async def login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def clinic_id(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> str:
    me = (await client.get("/api/v1/me", headers=headers)).json()
    return str(next(c["clinic_id"] for c in me["clinics"] if c["clinic_name"] == name))


async def seed(database: Database, settings: Settings) -> None:
    async with database.session_scope() as session:
        await seed_demo(session, settings, PASSWORD)


class TestEmbeddedPublishing:
    async def test_a_post_goes_out_to_the_mounted_sandbox(
        self,
        client: httpx.AsyncClient,
        server: str,
        database: Database,
        demo_settings: Settings,
    ) -> None:
        await seed(database, demo_settings)
        editor, doctor = await login(client, EDITOR), await login(client, DOCTOR)
        musterstadt = await clinic_id(client, editor, "Klinikum Musterstadt")
        channels = (await client.get("/api/v1/channels", headers=editor)).json()["items"]
        mastodon = next(
            c for c in channels if c["platform"] == "mastodon" and c["clinic_id"] == musterstadt
        )
        assert mastodon["status"] == "connected"

        created = await client.post(
            "/api/v1/posts",
            headers=editor,
            json={
                "clinic_id": musterstadt,
                "title": "Händehygiene",
                "category": "health_tip",
                "base_text": "Händewaschen schützt: 30 Sekunden mit Seife. #Hygiene",
                "variants": [{"channel_id": mastodon["id"]}],
            },
        )
        assert created.status_code == 201, created.text
        post_id = created.json()["id"]
        submitted = await client.post(f"/api/v1/posts/{post_id}/submit", headers=editor)
        assert submitted.json()["status"] == "in_review", submitted.text
        # health_tip: one medical review (the demo's physician), bound to the submitted version
        review = await client.get(f"/api/v1/posts/{post_id}/review", headers=doctor)
        assert review.json()["request"]["steps"][0]["review"] == "medical", review.text
        approved = await client.post(
            f"/api/v1/posts/{post_id}/review/decisions",
            headers=doctor,
            json={"request_id": review.json()["request"]["id"], "decision": "approve"},
        )
        assert approved.json()["post"]["status"] == "approved", approved.text
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
        scheduled = await client.post(
            f"/api/v1/posts/{post_id}/schedule",
            headers=editor,
            json={"scheduled_at": at.isoformat()},
        )
        assert scheduled.json()["status"] == "scheduled", scheduled.text

        publication = await publish_until_settled(client, editor, database, demo_settings, post_id)
        assert publication["status"] == "published", publication
        url = publication["platform_url"]
        assert url.startswith(f"{server}/sandbox/posts/mastodon/")
        page = await client.get(url)
        assert page.status_code == 200
        assert "Händewaschen schützt" in page.text
        assert "@klinikum_musterstadt" in page.text

        posts = (await client.get("/sandbox/_control/posts")).json()
        assert len(posts) == 1
        assert posts[0]["platform"] == "mastodon"
        assert posts[0]["account_id"] == sandbox_demo.MASTODON_ACCOUNTS[0].id
        assert posts[0]["id"] == publication["platform_post_id"]
        post = (await client.get(f"/api/v1/posts/{post_id}", headers=editor)).json()
        assert post["status"] == "published"

    async def test_the_demo_seed_has_sandbox_channels_and_posts_in_every_state(
        self,
        client: httpx.AsyncClient,
        database: Database,
        demo_settings: Settings,
    ) -> None:
        await seed(database, demo_settings)
        editor = await login(client, EDITOR)
        channels = (await client.get("/api/v1/channels", headers=editor)).json()["items"]
        assert sorted((c["platform"], c["display_name"]) for c in channels) == [
            ("facebook", "Klinikum Musterstadt"),
            ("facebook", "St.-Marien-Krankenhaus Nordheim"),
            ("instagram", "klinikum_musterstadt (Instagram)"),
            ("instagram", "st_marien_nordheim (Instagram)"),
            ("linkedin", "Klinikum Musterstadt"),
            ("mastodon", "Fachklinik Südhausen"),
            ("mastodon", "Klinikum Musterstadt"),
        ]
        assert {c["status"] for c in channels} == {"connected"}
        async with database.session_scope() as session:
            sealed = [
                c.access_token_sealed for c in (await session.execute(select(Channel))).scalars()
            ]
        assert len(sealed) == 7
        assert all(value and "demo" not in value for value in sealed)  # sealed, never plain

        posts = (await client.get("/api/v1/posts", headers=editor)).json()["items"]
        # The demo posts plus the patient story draft that relies on two consent records.
        expected = sorted([*(p.status.value for p in DEMO_POSTS), "draft"])
        assert sorted(p["status"] for p in posts) == expected
        story = next(p for p in posts if p["category"] == "patient_story")
        assert len(story["consent_ids"]) == 2
        officer = await login(client, "datenschutz@klinikfunk.example")
        consents = (await client.get("/api/v1/consents", headers=officer)).json()["items"]
        assert sorted(c["status"] for c in consents) == ["expiring", "valid", "valid"]
        assert {"draft", "in_review", "approved", "scheduled"} <= {p["status"] for p in posts}
        scheduled = next(p for p in posts if p["status"] == "scheduled")
        tomorrow = datetime.now(ZoneInfo("Europe/Berlin")).date() + timedelta(days=1)
        assert scheduled["scheduled_local"] == f"{tomorrow.isoformat()}T09:00:00"
        assert scheduled["approval_current"] is True
        # each post in review waits in its reviewer's queue: the event for the communications
        # lead, the health tip for the medical reviewer
        in_review = {p["category"]: p["id"] for p in posts if p["status"] == "in_review"}
        for who, category in ((LEAD, "event"), (MEDICAL, "health_tip")):
            headers = await login(client, who)
            queue = (await client.get("/api/v1/approvals/queue", headers=headers)).json()
            assert [i["post_id"] for i in queue["items"]] == [in_review[category]]
            assert queue["total"] == 1
        # a dark-site statement is prepared for crises (approved, not scheduled)
        [statement] = [p for p in posts if p["holding_statement"]]
        assert (statement["status"], statement["category"]) == ("approved", "crisis")
        publications = (
            await client.get(f"/api/v1/posts/{scheduled['id']}/publications", headers=editor)
        ).json()["items"]
        assert len(publications) == 2
        assert {p["status"] for p in publications} == {"pending"}
        assert await count(database, Publication) == 2
        assert not await count(
            database, Publication, Publication.status == PublicationStatus.published
        )

    async def test_the_demo_accounts_answer_with_the_sealed_tokens(
        self, client: httpx.AsyncClient, server: str
    ) -> None:
        account = sandbox_demo.MASTODON_ACCOUNTS[0]
        me = await client.get(
            "/sandbox/mastodon/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {account.token}"},
        )
        assert me.status_code == 200
        assert me.json()["username"] == "klinikum_musterstadt"
        assert me.json()["url"] == f"{server}/sandbox/mastodon/@klinikum_musterstadt"
        assert "x-ratelimit-remaining" in me.headers
        assert len(me.headers.get_list("date")) == 1  # uvicorn's, not a second virtual one
        page = sandbox_demo.PAGES[0]
        feed = await client.get(
            f"/sandbox/graph/v24.0/{page.id}/feed", params={"access_token": page.token}
        )
        assert feed.status_code == 200, feed.text
        # The API's middleware stays out of the sandbox (CSP would block its inline style).
        assert "content-security-policy" not in me.headers
        assert (await client.get("/api/v1/health")).headers["content-security-policy"]


async def publish_until_settled(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    database: Database,
    settings: Settings,
    post_id: str,
) -> dict[str, Any]:
    """Drive the worker (its publisher reaches the sandbox over loopback HTTP) until the
    publication leaves pending/publishing; at most about 30 seconds."""
    worker = Worker(database, settings, name="test-worker")
    try:
        for _ in range(60):
            await worker.run_once()
            items = (
                await client.get(f"/api/v1/posts/{post_id}/publications", headers=headers)
            ).json()["items"]
            assert len(items) == 1
            if items[0]["status"] not in ("pending", "publishing"):
                return dict(items[0])
            await asyncio.sleep(0.5)
    finally:
        await close_shared_http()
    raise AssertionError(f"not published in time: {items}")


class TestSandboxSettings:
    def test_on_with_the_demo_off_by_default_and_never_in_production(self) -> None:
        assert Settings(demo=True).sandbox_enabled
        assert not Settings(demo=True, sandbox=False).sandbox_enabled
        assert not Settings().sandbox_enabled
        assert Settings(sandbox=True).sandbox_enabled
        production = {
            "env": Environment.production,
            "secret_key": "k" * 40,
            "database_url": "postgresql+asyncpg://x/y",
            "keks": {"a": "x" * 43},
        }
        with pytest.raises(ValidationError, match="sandbox"):
            Settings(**production, sandbox=True)
        with pytest.raises(ValidationError, match="sandbox"):
            Settings(**production, demo=True)
        assert not Settings(**production, demo=True, sandbox=False).sandbox_enabled

    def test_connectors_and_oauth_apps_default_to_the_sandbox(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in ("PUBLIC_URL", "MASTODON_URL", "FACEBOOK_GRAPH_URL", "META_APP_ID"):
            monkeypatch.delenv(f"KLINIKFUNK_{name}", raising=False)
        monkeypatch.setenv("KLINIKFUNK_DEMO", "1")
        monkeypatch.setenv("KLINIKFUNK_HOST", "0.0.0.0")
        monkeypatch.setenv("KLINIKFUNK_PORT", "8123")
        connectors = ConnectorSettings()
        assert connectors.mastodon_url == "http://127.0.0.1:8123/sandbox/mastodon"
        assert connectors.facebook_graph_url == "http://127.0.0.1:8123/sandbox/graph/v24.0"
        assert connectors.instagram_graph_url == connectors.facebook_graph_url
        assert ConnectorSettings(mastodon_url="https://x.example").mastodon_url == (
            "https://x.example"
        )
        apps = ChannelSettings()
        assert apps.meta_app_id == SandboxConfig().graph_app_id
        app = apps.mastodon_app("http://127.0.0.1:8123/sandbox/mastodon")
        assert app is not None
        assert app.client_id == sandbox_demo.MASTODON_CLIENT_ID

        monkeypatch.setenv("KLINIKFUNK_PUBLIC_URL", "https://demo.example/")
        assert ConnectorSettings().mastodon_url == "https://demo.example/sandbox/mastodon"
        monkeypatch.setenv("KLINIKFUNK_SANDBOX", "false")
        assert ConnectorSettings().mastodon_url == "https://mastodon.social"
        assert not ChannelSettings().meta_configured()

    async def test_without_the_sandbox_nothing_is_mounted_and_no_channels_are_seeded(
        self, settings: Settings, database: Database
    ) -> None:
        assert not settings.sandbox_enabled
        await seed(database, settings)
        assert await count(database, Channel) == 0
        app = create_app(settings, database=database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/sandbox/_control/posts")
        # The SPA fallback (index.html, or a 503 note when it is not built), not the sandbox.
        assert response.headers["content-type"].startswith(("text/html", "text/plain"))
        assert not hasattr(app.state, "sandbox_app")


class TestDemoWorld:
    async def test_same_accounts_and_tokens_after_every_start_and_reset(self) -> None:
        apps = [create_sandbox(SandboxConfig(demo_world=True)) for _ in range(2)]
        snapshots = []
        for app in apps:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://sbx"
            ) as client:
                await client.post("/_control/reset")
                state = (await client.get("/_control/state")).json()
            usernames = {a["username"] for a in state["mastodon"]["accounts"]}
            snapshots.append(
                (
                    sorted((t["value"], t["subject_id"]) for t in state["tokens"]),
                    sorted(a["id"] for a in state["mastodon"]["accounts"]),
                    sorted(p["id"] for p in state["graph"]["pages"]),
                )
            )
        assert snapshots[0] == snapshots[1]
        tokens = dict(snapshots[0][0])
        for account in sandbox_demo.MASTODON_ACCOUNTS:
            assert tokens[account.token] == account.id
        for page in sandbox_demo.PAGES:
            assert tokens[page.token] == page.id
        assert "klinikum_nord" not in usernames  # the tests' default world stays out
