"""GET /posts/{id}/publications and POST /publications/{id}/retry: scope, roles, bad input."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fixtures.helpers import assert_problem, audit_actions
from fixtures.sandbox import SandboxServer
from fixtures.world import OTHER_ADMIN, World
from publishing.support import (
    Target,
    clinic_user,
    connect_mastodon,
    load,
    login_as,
    publishing_env,
    run_publisher,
    sandbox_posts,
    schedule,
    set_status,
)

from app.auth.permissions import Role
from app.config import Settings
from app.kit.db import Database
from app.kit.time import utc_now
from app.publishing.models import PublicationStatus as S

__all__ = ["publishing_env"]
EDITOR = "redaktion@musterland.example"


async def _target(
    database: Database, settings: Settings, sandbox: SandboxServer, world: World
) -> Target:
    return await connect_mastodon(database, settings, sandbox, world.clinic_a, "nord")


class TestListPublications:
    async def test_editor_sees_status_error_and_url(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await _target(database, settings, publishing_env, world)
        publication = await schedule(database, world, target, "Hallo")
        await run_publisher(database, settings)

        response = await client.get(
            f"/api/v1/posts/{publication.post_id}/publications",
            headers=await login_as(client, world, EDITOR),
        )

        assert response.status_code == 200, response.text
        [item] = response.json()["items"]
        assert item["status"] == "published"
        assert item["platform_url"]
        assert item["channel_name"] == "nord"
        assert item["platform"] == "mastodon"
        assert item["error"] is None

    async def test_role_without_posts_read_is_forbidden(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await _target(database, settings, publishing_env, world)
        publication = await schedule(database, world, target, "Hallo")
        headers = await login_as(client, world, "moderation@musterland.example")
        response = await client.get(
            f"/api/v1/posts/{publication.post_id}/publications", headers=headers
        )
        assert_problem(response, 403)

    async def test_other_clinic_and_other_organization_get_404(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await _target(database, settings, publishing_env, world)
        publication = await schedule(database, world, target, "Hallo")
        await clinic_user(database, settings, world, Role.editor, world.clinic_b, "b@m.example")
        url = f"/api/v1/posts/{publication.post_id}/publications"
        for email in (OTHER_ADMIN, "b@m.example"):
            response = await client.get(url, headers=await login_as(client, world, email))
            assert_problem(response, 404)

    async def test_bad_id_is_422(self, client: httpx.AsyncClient, world: World) -> None:
        response = await client.get(
            "/api/v1/posts/kein-uuid/publications", headers=await login_as(client, world, EDITOR)
        )
        assert_problem(response, 422)


class TestRetry:
    async def test_unconfirmed_is_published_after_a_person_checked(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await _target(database, settings, publishing_env, world)
        publication = await schedule(database, world, target, "Geprüft")
        await set_status(database, publication.id, S.unconfirmed, attempt_started_at=utc_now())

        response = await client.post(
            f"/api/v1/publications/{publication.id}/retry", json={},
            headers=await login_as(client, world, EDITOR),
        )  # fmt: skip

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "pending"
        assert "publication.retried" in await audit_actions(database)
        await run_publisher(database, settings)
        assert (await load(database, publication.id)).status is S.published
        assert len(sandbox_posts(publishing_env, target)) == 1

    async def test_comms_lead_may_not_retry_and_nothing_changes(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await _target(database, settings, publishing_env, world)
        publication = await schedule(database, world, target, "x")
        await set_status(database, publication.id, S.failed)
        response = await client.post(
            f"/api/v1/publications/{publication.id}/retry", json={},
            headers=await login_as(client, world, "kommunikation@musterland.example"),
        )  # fmt: skip
        assert_problem(response, 403)
        assert (await load(database, publication.id)).status is S.failed

    async def test_other_organization_gets_404(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await _target(database, settings, publishing_env, world)
        publication = await schedule(database, world, target, "x")
        await set_status(database, publication.id, S.failed)
        response = await client.post(
            f"/api/v1/publications/{publication.id}/retry", json={},
            headers=await login_as(client, world, OTHER_ADMIN),
        )  # fmt: skip
        assert_problem(response, 404)
        assert (await load(database, publication.id)).status is S.failed

    async def test_bad_input_and_wrong_state_write_nothing(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await _target(database, settings, publishing_env, world)
        publication = await schedule(database, world, target, "x")
        headers = await login_as(client, world, EDITOR)
        url = f"/api/v1/publications/{publication.id}/retry"
        await set_status(database, publication.id, S.failed)
        past = (utc_now() - timedelta(hours=1)).isoformat()
        for body in ({"at": "2030-01-01T10:00:00"}, {"at": past}, {"unknown": 1}):
            assert_problem(await client.post(url, json=body, headers=headers), 422)
        await set_status(database, publication.id, S.published)
        assert_problem(await client.post(url, json={}, headers=headers), 409)
        assert (await load(database, publication.id)).status is S.published
        assert "publication.retried" not in await audit_actions(database)
