"""Crisis mode: start pauses every pending publication in scope (and nothing publishes after
the pause commit), end resumes nothing, paused publications are reviewed and resumed one by
one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.sandbox import SandboxServer
from fixtures.world import OTHER_ADMIN, World
from publishing.support import (
    Target,
    clinic_user,
    connect_mastodon,
    load,
    login_as,
    make_due,
    publishing_env,
    run_publisher,
    sandbox_posts,
    schedule,
)

from app.auth.permissions import Role
from app.config import Settings
from app.crisis.models import CrisisMode
from app.kit.db import Database
from app.kit.time import utc_now
from app.publishing.models import PublicationStatus as S
from app.publishing.publisher import Publisher

__all__ = ["publishing_env"]
COMMS = "kommunikation@musterland.example"
EDITOR = "redaktion@musterland.example"


def _body(world: World, **kw: Any) -> dict[str, Any]:
    return {"scope_type": "clinic", "scope_id": str(world.clinic_a.id), "reason": "Brand"} | kw


async def _targets(
    database: Database, settings: Settings, sandbox: SandboxServer, world: World
) -> tuple[Target, Target]:
    a = await connect_mastodon(database, settings, sandbox, world.clinic_a, "nord")
    b = await connect_mastodon(database, settings, sandbox, world.clinic_b, "sued")
    return a, b


class TestStartCrisis:
    async def test_comms_lead_pauses_pending_in_scope_only(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a, b = await _targets(database, settings, publishing_env, world)
        in_a = await schedule(database, world, a, "A", due_at=utc_now() + timedelta(minutes=5))
        in_b = await schedule(database, world, b, "B", clinic=world.clinic_b)

        response = await client.post(
            "/api/v1/crisis", json=_body(world), headers=await login_as(client, world, COMMS)
        )

        assert response.status_code == 201, response.text
        assert response.json()["paused_publications"] == 1
        assert response.json()["active"] is True
        assert (await load(database, in_a.id)).status is S.paused
        assert (await load(database, in_b.id)).status is S.pending
        await make_due(database, in_a.id)
        await run_publisher(database, settings)
        assert sandbox_posts(publishing_env, a) == []
        assert len(sandbox_posts(publishing_env, b)) == 1
        actions = await audit_actions(database)
        assert "crisis.started" in actions
        assert "publication.paused" in actions

    async def test_organization_crisis_by_admin_pauses_every_clinic(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a, b = await _targets(database, settings, publishing_env, world)
        pubs = [
            await schedule(database, world, a, "A"),
            await schedule(database, world, b, "B", clinic=world.clinic_b),
        ]
        body = _body(world, scope_type="organization", scope_id=str(world.org.id))
        headers = await login_as(client, world, "admin@musterland.example")
        response = await client.post("/api/v1/crisis", json=body, headers=headers)
        assert response.status_code == 201, response.text
        assert response.json()["paused_publications"] == 2
        assert {(await load(database, p.id)).status for p in pubs} == {S.paused}

    async def test_claimed_before_the_pause_is_not_published_after_it(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a, _ = await _targets(database, settings, publishing_env, world)
        publication = await schedule(database, world, a, "Gerade beansprucht")
        publisher = Publisher(database, settings, "w1")
        _, claimed = await publisher.claim()
        assert claimed == [publication.id]

        response = await client.post(
            "/api/v1/crisis", json=_body(world), headers=await login_as(client, world, COMMS)
        )
        assert response.status_code == 201, response.text
        await publisher.process(publication.id)

        assert (await load(database, publication.id)).status is S.paused
        assert sandbox_posts(publishing_env, a) == []

    async def test_in_flight_publications_are_reported(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a, _ = await _targets(database, settings, publishing_env, world)
        publication = await schedule(database, world, a, "Unterwegs")
        await make_due(
            database, publication.id, status=S.publishing, locked_by="w",
            lease_until=utc_now() + timedelta(minutes=1), attempt_started_at=utc_now(),
        )  # fmt: skip
        response = await client.post(
            "/api/v1/crisis", json=_body(world), headers=await login_as(client, world, COMMS)
        )
        assert response.json()["in_flight_publication_ids"] == [str(publication.id)]

    async def test_roles_and_scopes_outside_the_caller_are_refused(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        await clinic_user(database, settings, world, Role.comms_lead, world.clinic_a, "ka@m.ex")
        editor = await login_as(client, world, EDITOR)
        assert_problem(await client.post("/api/v1/crisis", json=_body(world), headers=editor), 403)
        scoped = await login_as(client, world, "ka@m.ex")
        for body in (
            _body(world, scope_id=str(world.clinic_b.id)),
            _body(world, scope_type="organization", scope_id=str(world.org.id)),
            _body(world, scope_id=str(world.other_clinic.id)),
        ):
            assert_problem(await client.post("/api/v1/crisis", json=body, headers=scoped), 422)
        other = await login_as(client, world, OTHER_ADMIN)
        assert_problem(await client.post("/api/v1/crisis", json=_body(world), headers=other), 422)
        assert await count(database, CrisisMode) == 0

    async def test_bad_input_and_duplicates_write_nothing(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        headers = await login_as(client, world, COMMS)
        for body in (
            _body(world, scope_type="planet"),
            _body(world, reason=""),
            _body(world, scope_id="nope"),
            _body(world, extra=True),
        ):
            assert_problem(await client.post("/api/v1/crisis", json=body, headers=headers), 422)
        assert await count(database, CrisisMode) == 0
        assert (await client.post("/api/v1/crisis", json=_body(world), headers=headers)).is_success
        assert_problem(await client.post("/api/v1/crisis", json=_body(world), headers=headers), 409)
        assert await count(database, CrisisMode) == 1


class TestEndAndResume:
    async def test_end_resumes_nothing_and_resume_publishes(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a, _ = await _targets(database, settings, publishing_env, world)
        publication = await schedule(database, world, a, "Nach der Krise")
        comms = await login_as(client, world, COMMS)
        editor = await login_as(client, world, EDITOR)
        crisis = (await client.post("/api/v1/crisis", json=_body(world), headers=comms)).json()

        paused = await client.get("/api/v1/crisis/paused", headers=editor)
        assert [p["id"] for p in paused.json()["items"]] == [str(publication.id)]
        resume_url = f"/api/v1/publications/{publication.id}/resume"
        soon = (utc_now() + timedelta(seconds=1)).isoformat()
        assert_problem(await client.post(resume_url, json={"at": soon}, headers=editor), 409)

        ended = await client.post(f"/api/v1/crisis/{crisis['id']}/end", headers=comms)
        assert ended.status_code == 200, ended.text
        assert ended.json()["active"] is False
        assert_problem(await client.post(f"/api/v1/crisis/{crisis['id']}/end", headers=comms), 409)
        await run_publisher(database, settings)
        assert (await load(database, publication.id)).status is S.paused

        past = (utc_now() - timedelta(minutes=1)).isoformat()
        for body in ({"at": past}, {"at": "2030-01-01T10:00:00"}, {}):
            assert_problem(await client.post(resume_url, json=body, headers=editor), 422)
        assert_problem(await client.post(resume_url, json={"at": soon}, headers=comms), 403)
        soon = (utc_now() + timedelta(seconds=1)).isoformat()
        resumed = await client.post(resume_url, json={"at": soon}, headers=editor)
        assert resumed.status_code == 200, resumed.text
        assert resumed.json()["status"] == "pending"
        await make_due(database, publication.id)
        await run_publisher(database, settings)
        assert (await load(database, publication.id)).status is S.published
        assert len(sandbox_posts(publishing_env, a)) == 1
        actions = await audit_actions(database)
        assert {"crisis.ended", "publication.resumed", "publication.published"} <= set(actions)

    async def test_list_shows_active_first_and_only_own_organization(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        comms = await login_as(client, world, COMMS)
        first = (await client.post("/api/v1/crisis", json=_body(world), headers=comms)).json()
        await client.post(f"/api/v1/crisis/{first['id']}/end", headers=comms)
        body = _body(world, scope_id=str(world.clinic_b.id))
        second = (await client.post("/api/v1/crisis", json=body, headers=comms)).json()

        listed = await client.get("/api/v1/crisis", headers=await login_as(client, world, EDITOR))
        assert [c["id"] for c in listed.json()["items"]] == [second["id"], first["id"]]
        other = await login_as(client, world, OTHER_ADMIN)
        assert (await client.get("/api/v1/crisis", headers=other)).json()["items"] == []
        assert_problem(await client.post(f"/api/v1/crisis/{second['id']}/end", headers=other), 404)
