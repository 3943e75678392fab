"""End to end over real HTTP: the sandbox's Graph personality signs and POSTs `feed` and
Messenger webhooks to the app on loopback; the worker turns them into inbox threads."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fixtures.sandbox import SandboxServer
from fixtures.world import World
from webhooks.support import URL, config, events, make_channel, messages, run_worker, threads

from app.config import Settings
from app.inbox.models import ThreadKind
from app.kit.db import Database
from app.main import create_app
from app.webhooks.models import WebhookEventStatus
from app.webhooks.settings import meta_webhook_config


@pytest.fixture
def live_app(settings: Settings, database: Database) -> Iterator[str]:
    """The app on a real loopback port, checking signatures with the sandbox's app secret."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(settings, database=Database(database.url))
    app.dependency_overrides[meta_webhook_config] = lambda: config(secret="sandbox-app-secret")
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, log_level=None, access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "app did not start"
        assert thread.is_alive(), "app did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}{URL}"
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


class TestSandboxDelivers:
    async def test_comment_delivered_twice_and_forged_one(
        self,
        live_app: str,
        sandbox_server: SandboxServer,
        database: Database,
        settings: Settings,
        world: World,
    ) -> None:
        control = sandbox_server.control
        page = control.state()["graph"]["pages"][0]["id"]
        await make_channel(database, world, page)

        result = await asyncio.to_thread(
            control.graph_comment, message="Wo kann ich parken? Grüße", times=2, url=live_app
        )
        forged = await asyncio.to_thread(
            control.graph_comment, message="Gefälscht", bad_signature=True, url=live_app
        )
        await run_worker(database, settings)

        assert [d["status"] for d in result["deliveries"]] == [200, 200]
        assert [d["status"] for d in forged["deliveries"]] == [403]
        [event] = await events(database)
        assert event.status is WebhookEventStatus.processed
        [message] = await messages(database)
        assert message.platform_message_id == result["comment"]["id"]
        assert message.text == "Wo kann ich parken? Grüße"

    async def test_edit_and_messenger_message(
        self,
        live_app: str,
        sandbox_server: SandboxServer,
        database: Database,
        settings: Settings,
        world: World,
    ) -> None:
        control = sandbox_server.control
        page = control.state()["graph"]["pages"][0]["id"]
        await make_channel(database, world, page)

        created = await asyncio.to_thread(control.graph_comment, message="Wo parken?", url=live_app)
        await asyncio.to_thread(
            control.graph_comment, verb="edited", comment_id=created["comment"]["id"],
            message="Wo kann ich parken?", url=live_app,
        )  # fmt: skip
        await asyncio.to_thread(
            control.graph_message, text="Ich brauche einen Termin.", url=live_app
        )
        await run_worker(database, settings)

        texts = sorted(m.text for m in await messages(database))
        assert texts == ["Ich brauche einen Termin.", "Wo kann ich parken?"]
        kinds = sorted(t.kind for t in await threads(database))
        assert kinds == [ThreadKind.comment, ThreadKind.direct_message]
        assert all(e.status is WebhookEventStatus.processed for e in await events(database))
