"""Set-up for inbox tests: a channel per clinic (no platform calls are made) and events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fixtures.world import World

from app.channels.models import Channel
from app.connectors.base import Platform
from app.inbox.ingestion import InboundEvent, IngestResult, ingest
from app.inbox.models import InboxThread, ThreadKind
from app.kit.db import Database
from app.kit.time import utc_now
from app.tenancy.models import Clinic

ADMIN = "admin@musterland.example"
EDITOR = "redaktion@musterland.example"
MODERATOR = "moderation@musterland.example"  # clinic A only
COMMS = "kommunikation@musterland.example"
OFFICER = "datenschutz@musterland.example"
ANALYST = "analyse@musterland.example"


@dataclass
class Channels:
    a: Channel
    b: Channel


async def make_channel(database: Database, world: World, clinic: Clinic, name: str) -> Channel:
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=world.org.id, clinic_id=clinic.id, platform=Platform.FACEBOOK,
            display_name=name, platform_account_id=f"page-{uuid.uuid4().hex[:8]}",
        )  # fmt: skip
        session.add(channel)
    return channel


async def make_channels(database: Database, world: World) -> Channels:
    return Channels(
        await make_channel(database, world, world.clinic_a, "Klinikum A"),
        await make_channel(database, world, world.clinic_b, "Klinikum B"),
    )


def event(channel: Channel, text: str, **values: Any) -> InboundEvent:
    fields: dict[str, Any] = {
        "channel_id": channel.id,
        "kind": ThreadKind.comment,
        "platform_thread_id": f"t-{uuid.uuid4().hex[:10]}",
        "platform_message_id": f"m-{uuid.uuid4().hex[:10]}",
        "author_platform_id": "user-1",
        "author_handle": "anna.beispiel",
        "author_name": "Anna Beispiel",
        "text": text,
        "sent_at": utc_now() - timedelta(minutes=1),
    }
    return InboundEvent(**(fields | values))


async def deliver(database: Database, inbound: InboundEvent) -> IngestResult:
    async with database.session_scope() as session:
        return await ingest(session, inbound)


async def thread_of(database: Database, thread_id: uuid.UUID) -> InboxThread:
    async with database.session_scope() as session:
        thread = await session.get(InboxThread, thread_id)
        assert thread is not None
        return thread


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
