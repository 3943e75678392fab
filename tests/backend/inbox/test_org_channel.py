"""Threads of an organization-wide channel (no clinic): only organization-level inbox readers
see them; their due time follows the organization's time zone and the default policy."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fixtures.helpers import assert_problem
from fixtures.world import World
from inbox.support import ADMIN, MODERATOR, at, deliver, event, thread_of
from publishing.support import login_as

from app.channels.models import Channel
from app.connectors.base import Platform
from app.kit.db import Database

THREADS = "/api/v1/inbox/threads"


async def org_channel(database: Database, world: World) -> Channel:
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=world.org.id, clinic_id=None, platform=Platform.INSTAGRAM,
            display_name="Verbund", platform_account_id="ig-verbund",
        )  # fmt: skip
        session.add(channel)
    return channel


class TestOrganizationChannel:
    async def test_only_organization_level_readers_see_it(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        channel = await org_channel(database, world)
        result = await deliver(database, event(channel, "Wo ist der Haupteingang?"))

        admin = await client.get(THREADS, headers=await login_as(client, world, ADMIN))
        moderator_headers = await login_as(client, world, MODERATOR)
        moderator = await client.get(THREADS, headers=moderator_headers)
        detail = await client.get(f"{THREADS}/{result.thread.id}", headers=moderator_headers)

        assert [i["id"] for i in admin.json()["items"]] == [str(result.thread.id)]
        assert moderator.json()["items"] == []
        assert moderator.json()["counts"]["open"] == 0
        assert_problem(detail, 404)

    async def test_due_time_in_the_organization_zone(
        self, database: Database, world: World
    ) -> None:
        channel = await org_channel(database, world)
        monday = at("2026-03-30T06:30:00+00:00")  # 08:30 CEST in Berlin: office hours

        result = await deliver(database, event(channel, "Wo ist der Haupteingang?", sent_at=monday))

        thread = await thread_of(database, result.thread.id)
        assert thread.clinic_id is None
        assert thread.first_response_due_at == monday + timedelta(minutes=240)
