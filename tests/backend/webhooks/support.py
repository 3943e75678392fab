"""Set-up for webhook tests: a Meta secret and verify token, envelopes, signed POSTs, the worker."""

from __future__ import annotations

import itertools
import json
import uuid
from typing import Any

import httpx
from fixtures.world import World
from pydantic import SecretStr
from sqlalchemy import select

import app.tasks  # noqa: F401  (registers webhooks.process)
from app.channels.models import Channel
from app.config import Settings
from app.connectors.base import Platform
from app.inbox.models import InboxMessage, InboxThread
from app.kit.db import Database
from app.webhooks.meta import sign
from app.webhooks.models import WebhookEvent
from app.webhooks.settings import MetaWebhookConfig
from app.worker.models import Job
from app.worker.runner import Worker

SECRET = "test-meta-app-secret"
VERIFY_TOKEN = "test-verify-token"
URL = "/api/v1/webhooks/meta"
_ids = itertools.count(1)


def config(secret: str = SECRET, token: str | None = VERIFY_TOKEN) -> MetaWebhookConfig:
    return MetaWebhookConfig(SecretStr(secret), SecretStr(token) if token else None)


async def make_channel(
    database: Database, world: World, account_id: str, platform: Platform = Platform.FACEBOOK
) -> Channel:
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=world.org.id, clinic_id=world.clinic_a.id, platform=platform,
            display_name="Klinikum A", platform_account_id=account_id,
        )  # fmt: skip
        session.add(channel)
    return channel


def comment(
    page_id: str,
    text: str,
    *,
    comment_id: str | None = None,
    post_id: str | None = None,
    parent_id: str | None = None,
    verb: str = "add",
    created: int = 1_764_000_000,
    time: int | None = None,
    author: str = "7001",
) -> dict[str, Any]:
    """One ``entry`` of a ``page`` delivery with a ``feed`` comment change."""
    post = post_id or f"{page_id}_555"
    value: dict[str, Any] = {
        "item": "comment", "verb": verb,
        "comment_id": comment_id or f"555_{next(_ids)}", "post_id": post,
        "parent_id": parent_id or post, "from": {"id": author, "name": "Anna Beispiel"},
        "message": text, "created_time": created,
    }  # fmt: skip
    return {"id": page_id, "time": time or created, "changes": [{"field": "feed", "value": value}]}


def envelope(*entries: dict[str, Any], kind: str = "page") -> bytes:
    return json.dumps({"object": kind, "entry": list(entries)}, ensure_ascii=False).encode()


async def post_signed(
    client: httpx.AsyncClient, body: bytes, *, secret: str = SECRET, signature: str | None = None
) -> httpx.Response:
    headers = {"content-type": "application/json"}
    headers["x-hub-signature-256"] = signature if signature is not None else sign(secret, body)
    return await client.post(URL, content=body, headers=headers)


async def run_worker(database: Database, settings: Settings) -> None:
    """Run the worker until no job is left to do now."""
    worker = Worker(database, settings, name="test-worker")
    for _ in range(20):
        if await worker.run_once() == 0:
            return


async def rows(database: Database, model: Any) -> list[Any]:
    async with database.session_scope() as session:
        return list((await session.execute(select(model))).scalars())


async def events(database: Database) -> list[WebhookEvent]:
    return await rows(database, WebhookEvent)


async def webhook_jobs(database: Database) -> list[Job]:
    return [j for j in await rows(database, Job) if j.task == "webhooks.process"]


async def messages(database: Database) -> list[InboxMessage]:
    return await rows(database, InboxMessage)


async def threads(database: Database) -> list[InboxThread]:
    return await rows(database, InboxThread)


def page_id() -> str:
    return f"9{uuid.uuid4().int % 10**11:011d}"
