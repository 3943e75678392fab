"""Notifications: the channel and publishing hooks tell exactly the right people once; the API
shows each user only their own, pages them and marks them read."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fixtures.helpers import assert_problem, count
from fixtures.sandbox import SandboxServer
from fixtures.world import OTHER_ADMIN, World, login
from publishing.support import (
    clinic_user,
    connect_mastodon,
    load,
    publishing_env,
    run_publisher,
    schedule,
)
from sqlalchemy import select
from sqlmodel import col

from app.auth.permissions import Role
from app.channels.models import Channel
from app.channels.service import mark_needs_reconnect
from app.config import Settings
from app.connectors.base import Platform
from app.kit.db import Database
from app.kit.time import utc_now
from app.notifications.models import Notification, NotificationKind
from app.notifications.service import admins_of, notify
from app.publishing.models import Publication
from app.publishing.models import PublicationStatus as S
from app.publishing.service import settle
from app.tenancy.models import Clinic

__all__ = ["publishing_env"]
URL = "/api/v1/notifications"


async def _channel(database: Database, clinic: Clinic) -> Channel:
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=clinic.organization_id, clinic_id=clinic.id,
            platform=Platform.MASTODON, display_name="Klinikum Nord", platform_account_id="1",
        )  # fmt: skip
        session.add(channel)
    return channel


async def _rows(database: Database) -> list[Notification]:
    async with database.session_scope() as session:
        result = await session.execute(select(Notification).order_by(col(Notification.user_id)))
        return list(result.scalars())


async def _give(
    database: Database, world: World, user_id: uuid.UUID, n: int = 1
) -> list[uuid.UUID]:
    async with database.session_scope() as session:
        rows = []
        for i in range(n):
            rows += await notify(
                session, user_ids=[user_id], kind=NotificationKind.publication_failed,
                organization_id=world.org.id, clinic_id=world.clinic_a.id,
                title_de=f"Veröffentlichung fehlgeschlagen {i}", body_de="Ein Beitrag …",
                link="/beitraege/x",
            )  # fmt: skip
        return [r.id for r in rows]


class TestChannelHook:
    async def test_needs_reconnect_tells_the_clinics_admins_once(
        self, database: Database, settings: Settings, world: World
    ) -> None:
        admin_a = await clinic_user(database, settings, world, Role.admin, world.clinic_a, "a@x.de")
        await clinic_user(database, settings, world, Role.admin, world.clinic_b, "b@x.de")
        await clinic_user(database, settings, world, Role.editor, world.clinic_a, "e@x.de")
        channel = await _channel(database, world.clinic_a)

        for _ in range(2):
            async with database.session_scope() as session:
                loaded = await session.get(Channel, channel.id)
                assert loaded is not None
                await mark_needs_reconnect(session, loaded, "Token abgelaufen")

        rows = await _rows(database)
        expected = {world.user(Role.admin).id, admin_a.id}
        assert sorted(r.user_id for r in rows) == sorted(expected)
        assert {r.kind for r in rows} == {NotificationKind.channel_needs_reconnect}
        assert {r.link for r in rows} == {"/einstellungen/kanaele"}
        assert {r.target_id for r in rows} == {channel.id}

    async def test_organization_channel_goes_to_organization_admins_only(
        self, database: Database, settings: Settings, world: World
    ) -> None:
        await clinic_user(database, settings, world, Role.admin, world.clinic_a, "a@x.de")
        async with database.session_scope() as session:
            assert await admins_of(session, world.org.id, None) == [world.user(Role.admin).id]
            assert await admins_of(session, world.other_org.id, None) == [
                world.user(OTHER_ADMIN).id
            ]


class TestPublicationHook:
    async def test_missed_publication_tells_the_author_once(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        publication = await schedule(
            database, world, target, "Gestern", due_at=utc_now() - timedelta(hours=3)
        )

        await run_publisher(database, settings)
        await run_publisher(database, settings)

        assert (await load(database, publication.id)).status is S.missed
        [row] = await _rows(database)
        assert row.user_id == world.user(Role.editor).id
        assert row.kind is NotificationKind.publication_missed
        assert row.link == f"/beitraege/{publication.post_id}"
        assert row.title_de == "Veröffentlichung verpasst"
        assert "Gestern" not in row.body_de

    async def test_failed_and_unconfirmed_each_tell_the_author(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        publication = await schedule(database, world, target, "Text")
        for status in (S.unconfirmed, S.unconfirmed, S.failed, S.published):
            async with database.session_scope() as session:
                loaded = await session.get(Publication, publication.id)
                assert loaded is not None
                await settle(session, loaded, status, error_code="x")

        kinds = sorted(r.kind for r in await _rows(database))
        assert kinds == [
            NotificationKind.publication_failed,
            NotificationKind.publication_unconfirmed,
        ]


class TestNotificationsApi:
    async def test_lists_own_newest_first_with_unread_count(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        ids = await _give(database, world, world.user(Role.editor).id, 3)
        await _give(database, world, world.user(Role.admin).id)
        headers = await login(client, world.user(Role.editor).email, world.password)

        first = await client.get(URL, params={"limit": 2}, headers=headers)
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["unread_count"] == 3
        assert len(body["items"]) == 2
        assert body["next_cursor"]
        rest = await client.get(
            URL, params={"limit": 2, "cursor": body["next_cursor"]}, headers=headers
        )
        seen = [i["id"] for i in body["items"] + rest.json()["items"]]
        assert sorted(seen) == sorted(str(i) for i in ids)
        assert rest.json()["next_cursor"] is None

    async def test_read_one_then_all(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        ids = await _give(database, world, world.user(Role.editor).id, 3)
        other = await _give(database, world, world.user(Role.admin).id)
        headers = await login(client, world.user(Role.editor).email, world.password)

        read = await client.post(f"{URL}/{ids[0]}/read", headers=headers)
        assert read.status_code == 200
        assert read.json()["read_at"]
        assert (await client.get(f"{URL}/unread-count", headers=headers)).json() == {
            "unread_count": 2
        }
        unread = await client.get(URL, params={"unread": True}, headers=headers)
        assert {i["id"] for i in unread.json()["items"]} == {str(ids[1]), str(ids[2])}

        assert (await client.post(f"{URL}/read-all", headers=headers)).status_code == 204
        assert (await client.get(f"{URL}/unread-count", headers=headers)).json() == {
            "unread_count": 0
        }
        assert await count(database, Notification, col(Notification.id) == other[0],
                           col(Notification.read_at).is_(None)) == 1  # fmt: skip

    async def test_other_users_notification_is_not_found(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        [foreign] = await _give(database, world, world.user(Role.admin).id)
        headers = await login(client, world.user(Role.editor).email, world.password)

        assert_problem(await client.post(f"{URL}/{foreign}/read", headers=headers), 404)
        listed = await client.get(URL, headers=headers)
        assert listed.json() == {"items": [], "next_cursor": None, "unread_count": 0}
        assert await count(database, Notification, col(Notification.read_at).is_not(None)) == 0

    async def test_bad_input_is_refused(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        headers = await login(client, world.user(Role.editor).email, world.password)

        assert_problem(await client.get(URL, params={"unread": "vielleicht"}, headers=headers), 422)
        assert_problem(await client.get(URL, params={"limit": 0}, headers=headers), 422)
        assert_problem(await client.get(URL, params={"cursor": "kaputt"}, headers=headers), 422)
        assert_problem(await client.post(f"{URL}/keine-id/read", headers=headers), 422)

    async def test_requires_sign_in(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get(URL), 401)
