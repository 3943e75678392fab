"""Paused publications are listed with their clinic's time zone and rescheduled in local wall
time, DST-correct: a time that does not exist is refused with the valid ones, a repeated one
needs ``fold``."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fixtures.helpers import assert_problem, audit_actions
from fixtures.sandbox import SandboxServer
from fixtures.world import OTHER_ADMIN, World
from publishing.support import (
    connect_mastodon,
    load,
    login_as,
    publishing_env,
    schedule,
    set_status,
)

from app.config import Settings
from app.kit.db import Database
from app.publishing.models import PublicationStatus as S
from app.tenancy.models import Clinic

__all__ = ["publishing_env"]
EDITOR = "redaktion@musterland.example"


class TestPausedLocalTime:
    async def test_list_shows_zone_and_resume_takes_local_time_across_dst(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
        publication = await schedule(
            database, world, a, "Pausiert", due_at=datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
        )
        await set_status(database, publication.id, S.paused)
        editor = await login_as(client, world, EDITOR)

        [item] = (await client.get("/api/v1/crisis/paused", headers=editor)).json()["items"]
        assert item["timezone"] == "Europe/Berlin"
        assert item["due_local"] == "2027-07-01T10:00:00"
        assert item["post_title"] == "Pausiert"

        url = f"/api/v1/publications/{publication.id}/resume"
        gap = assert_problem(
            await client.post(url, json={"at_local": "2027-03-28T02:30"}, headers=editor), 422
        )
        assert gap["errors"][0]["field"] == "body.at_local"
        assert gap["errors"][0]["type"] == "nonexistent_time"
        assert "existiert nicht" in gap["detail"]
        assert "01:59" in gap["detail"]
        assert "03:00" in gap["detail"]
        twice = assert_problem(
            await client.post(url, json={"at_local": "2027-10-31T02:30"}, headers=editor), 422
        )
        assert twice["errors"][0]["type"] == "ambiguous_time"
        assert "fold" in twice["detail"]
        for bad in (
            {"at_local": "2020-01-01T10:00"},  # past
            {"at_local": "2027-10-31T02:30+01:00"},  # an offset is not wall time
            {"at_local": "2027-10-31T02:30", "at": "2027-10-31T02:30:00+01:00"},
            {"at_local": "2027-10-31T02:30", "fold": 2},
        ):
            assert_problem(await client.post(url, json=bad, headers=editor), 422)
        assert (await load(database, publication.id)).status is S.paused

        body = {"at_local": "2027-10-31T02:30", "fold": 1}
        resumed = await client.post(url, json=body, headers=editor)
        assert resumed.status_code == 200, resumed.text
        assert resumed.json()["status"] == "pending"
        # fold=1: the second 02:30, standard time (UTC+1).
        assert (await load(database, publication.id)).due_at == datetime(
            2027, 10, 31, 1, 30, tzinfo=UTC
        )
        assert "publication.resumed" in await audit_actions(database)

    async def test_local_time_uses_the_clinics_zone_and_retry_takes_it_too(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        async with database.session_scope() as session:
            clinic = await session.get(Clinic, world.clinic_a.id)
            assert clinic is not None
            clinic.timezone = "Europe/Lisbon"
        a = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
        paused = await schedule(database, world, a, "Lissabon")
        await set_status(database, paused.id, S.paused)
        failed = await schedule(database, world, a, "Fehlgeschlagen")
        await set_status(database, failed.id, S.failed)
        editor = await login_as(client, world, EDITOR)

        [item] = (await client.get("/api/v1/crisis/paused", headers=editor)).json()["items"]
        assert item["timezone"] == "Europe/Lisbon"
        body = {"at_local": "2027-07-01T10:00", "fold": 0}  # fold is ignored when unambiguous
        response = await client.post(
            f"/api/v1/publications/{paused.id}/resume", json=body, headers=editor
        )
        assert response.status_code == 200, response.text
        assert (await load(database, paused.id)).due_at == datetime(2027, 7, 1, 9, 0, tzinfo=UTC)

        retry_url = f"/api/v1/publications/{failed.id}/retry"
        gap = {"at_local": "2027-03-28T01:30"}  # Lisbon springs forward at 01:00
        assert_problem(await client.post(retry_url, json=gap, headers=editor), 422)
        retried = await client.post(
            retry_url, json={"at_local": "2027-12-01T09:15"}, headers=editor
        )
        assert retried.status_code == 200, retried.text
        assert (await load(database, failed.id)).due_at == datetime(2027, 12, 1, 9, 15, tzinfo=UTC)
        other = await login_as(client, world, OTHER_ADMIN)
        assert (await client.get("/api/v1/crisis/paused", headers=other)).json()["items"] == []
