from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import OTHER_ADMIN, ROLE_EMAILS, World, login

from app.audit.models import AuditEvent
from app.auth.models import UserSession
from app.auth.permissions import Role
from app.kit.db import Database
from app.tenancy.models import Clinic
from app.users.models import RoleAssignment, User

NON_ADMINS = [r for r in Role if r is not Role.admin]


def _endpoints(world: World) -> list[tuple[str, str, dict[str, Any] | None]]:
    target = world.user(Role.analyst).id
    assignment_body = {
        "user_id": str(target), "role": "editor", "scope_type": "clinic",
        "scope_id": str(world.clinic_a.id),
    }  # fmt: skip
    return [
        ("GET", "/api/v1/users", None),
        ("POST", "/api/v1/users", {"email": "neu@musterland.example", "full_name": "Neu"}),
        ("GET", f"/api/v1/users/{target}", None),
        ("PATCH", f"/api/v1/users/{target}", {"full_name": "Umbenannt"}),
        ("POST", f"/api/v1/users/{target}/password-reset", None),
        ("GET", "/api/v1/role-assignments", None),
        ("POST", "/api/v1/role-assignments", assignment_body),
        ("DELETE", f"/api/v1/role-assignments/{uuid.uuid4()}", None),
    ]


class TestPermissionMatrix:
    @pytest.mark.parametrize("role", NON_ADMINS, ids=lambda r: r.value)
    async def test_every_other_role_is_forbidden_and_nothing_changes(
        self, role: Role, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        headers = await login(client, ROLE_EMAILS[role], world.password)
        users_before = await count(database, User)
        assignments_before = await count(database, RoleAssignment)
        for method, path, body in _endpoints(world):
            response = await client.request(method, path, json=body, headers=headers)
            assert_problem(response, 403)
        assert await count(database, User) == users_before
        assert await count(database, RoleAssignment) == assignments_before
        assert (await audit_actions(database)).count("auth.forbidden") == len(_endpoints(world))

    async def test_admin_may_use_every_endpoint(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
        statuses = [
            (await client.request(method, path, json=body, headers=headers)).status_code
            for method, path, body in _endpoints(world)
        ]
        assert statuses == [200, 201, 200, 200, 200, 200, 201, 404]

    async def test_clinic_scoped_admin_cannot_manage_accounts(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        await client.post(
            "/api/v1/role-assignments", headers=admin,
            json={"user_id": str(world.user(Role.moderator).id), "role": "admin",
                  "scope_type": "clinic", "scope_id": str(world.clinic_a.id)},
        )  # fmt: skip
        clinic_admin = await login(client, ROLE_EMAILS[Role.moderator], world.password)
        assert_problem(await client.get("/api/v1/users", headers=clinic_admin), 403)


class TestCreateUser:
    async def test_create_returns_one_time_setup_link(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
        response = await client.post(
            "/api/v1/users", headers=headers,
            json={"email": "Neue.Kollegin@Musterland.example", "full_name": "Neue Kollegin", "locale": "en"},
        )  # fmt: skip
        assert response.status_code == 201
        body = response.json()
        assert body["email"] == "neue.kollegin@musterland.example"
        assert body["organization_id"] == str(world.org.id)
        assert body["password_setup"]["token"] in body["password_setup"]["url"]
        assert "password_hash" not in body
        done = await client.post(
            "/api/v1/auth/password-reset",
            json={"token": body["password_setup"]["token"], "new_password": "mein erstes Passwort"},
        )
        assert done.status_code == 204
        await login(client, "neue.kollegin@musterland.example", "mein erstes Passwort")
        assert "user.created" in await audit_actions(database)

    async def test_duplicate_email_is_409_even_across_organizations(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        headers = await login(client, OTHER_ADMIN, world.password)
        before = await count(database, User)
        response = await client.post(
            "/api/v1/users", headers=headers,
            json={"email": ROLE_EMAILS[Role.editor], "full_name": "Doppelt"},
        )  # fmt: skip
        assert_problem(response, 409)
        assert await count(database, User) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"email": "kein-at-zeichen", "full_name": "X"}, "body.email"),
            ({"email": "a@b.example", "full_name": ""}, "body.full_name"),
            ({"email": "a@b.example", "full_name": "X" * 201}, "body.full_name"),
            ({"email": "a@b.example", "full_name": "X", "locale": "fr"}, "body.locale"),
            (
                {"email": "a@b.example", "full_name": "X", "organization_id": str(uuid.uuid4())},
                "body.organization_id",
            ),
            ({"email": "a@b.example", "full_name": "X", "is_active": False}, "body.is_active"),
            (
                {"email": "a@b.example", "full_name": "X", "password_hash": "x"},
                "body.password_hash",
            ),
            ({"full_name": "X"}, "body.email"),
        ],
    )
    async def test_bad_input_names_the_field_and_writes_nothing(
        self,
        body: dict[str, Any],
        field: str,
        client: httpx.AsyncClient,
        world: World,
        database: Database,
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
        users, events = await count(database, User), await count(database, AuditEvent)
        problem = assert_problem(
            await client.post("/api/v1/users", json=body, headers=headers), 422
        )
        assert field in [e["field"] for e in problem["errors"]]
        assert await count(database, User) == users
        assert await count(database, AuditEvent) == events


class TestUpdateUser:
    async def test_deactivate_ends_sessions_and_reactivate(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        editor = await login(client, ROLE_EMAILS[Role.editor], world.password)
        target = world.user(Role.editor).id
        response = await client.patch(
            f"/api/v1/users/{target}", json={"is_active": False}, headers=admin
        )
        assert response.status_code == 200
        assert response.json()["is_active"] is False
        assert_problem(await client.get("/api/v1/me", headers=editor), 401)
        assert (
            await count(
                database,
                UserSession,
                UserSession.user_id == target,
                UserSession.revoked_at.is_(None),
            )
            == 0
        )  # type: ignore[union-attr]
        listed = await client.get("/api/v1/users", params={"is_active": "false"}, headers=admin)
        assert [u["id"] for u in listed.json()["items"]] == [str(target)]
        await client.patch(f"/api/v1/users/{target}", json={"is_active": True}, headers=admin)
        await login(client, ROLE_EMAILS[Role.editor], world.password)
        actions = await audit_actions(database)
        assert "user.deactivated" in actions
        assert "user.reactivated" in actions

    async def test_admin_cannot_lock_out_the_organization(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        me = world.user(Role.admin).id
        assert_problem(
            await client.patch(f"/api/v1/users/{me}", json={"is_active": False}, headers=admin), 409
        )
        assignments = (
            await client.get("/api/v1/role-assignments", params={"user_id": str(me)}, headers=admin)
        ).json()
        only = assignments["items"][0]["id"]
        assert_problem(await client.delete(f"/api/v1/role-assignments/{only}", headers=admin), 409)

    async def test_bad_patch(self, client: httpx.AsyncClient, world: World) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        target = world.user(Role.editor).id
        for body in ({"email": "x@y.example"}, {"is_active": "vielleicht"}, {"locale": "xx"}):
            assert_problem(
                await client.patch(f"/api/v1/users/{target}", json=body, headers=admin), 422
            )
        assert_problem(await client.patch("/api/v1/users/not-a-uuid", json={}, headers=admin), 422)


class TestSearchAndPaging:
    async def test_search_and_cursor_pages(self, client: httpx.AsyncClient, world: World) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        found = await client.get("/api/v1/users", params={"q": "ARZT"}, headers=admin)
        assert [u["email"] for u in found.json()["items"]] == [ROLE_EMAILS[Role.medical_reviewer]]
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/api/v1/users", params=params, headers=admin)).json()
            seen += [u["email"] for u in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == sorted(ROLE_EMAILS.values())
        for params in ({"limit": 0}, {"limit": 101}, {"cursor": "kaputt"}):
            assert_problem(await client.get("/api/v1/users", params=params, headers=admin), 422)


class TestRoleAssignments:
    async def test_assign_and_remove_with_audit(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        analyst = world.user(Role.analyst)
        body = {
            "user_id": str(analyst.id),
            "role": "editor",
            "scope_type": "region",
            "scope_id": str(world.region_sued.id),
        }
        created = await client.post("/api/v1/role-assignments", json=body, headers=admin)
        assert created.status_code == 201
        assert created.json()["scope_name"] == "Region Süd"
        assert_problem(await client.post("/api/v1/role-assignments", json=body, headers=admin), 409)
        analyst_headers = await login(client, ROLE_EMAILS[Role.analyst], world.password)
        me = (await client.get("/api/v1/me", headers=analyst_headers)).json()
        by_clinic = {c["clinic_name"]: c["permissions"] for c in me["clinics"]}
        assert "posts.write" in by_clinic["Klinikum B"]
        assert "posts.write" not in by_clinic["Klinikum A"]
        deleted = await client.delete(
            f"/api/v1/role-assignments/{created.json()['id']}", headers=admin
        )
        assert deleted.status_code == 204
        actions = await audit_actions(database)
        assert "role.assigned" in actions
        assert "role.removed" in actions

    async def test_each_change_writes_exactly_one_complete_audit_row(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        from sqlalchemy import select

        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        analyst = world.user(Role.analyst)
        body = {
            "user_id": str(analyst.id),
            "role": "editor",
            "scope_type": "clinic",
            "scope_id": str(world.clinic_b.id),
        }
        await client.post("/api/v1/role-assignments", json=body, headers=admin)
        await client.patch(
            f"/api/v1/users/{analyst.id}", json={"full_name": "Eva L."}, headers=admin
        )
        async with database.session_scope() as session:
            events = (
                (
                    await session.execute(
                        select(AuditEvent).where(AuditEvent.target_id == str(analyst.id))
                    )
                )
                .scalars()
                .all()
            )
        by_action = {e.action: e for e in events}
        assert sorted(e.action for e in events) == ["role.assigned", "user.updated"]
        assigned = by_action["role.assigned"]
        assert assigned.actor_id == world.user(Role.admin).id
        assert assigned.organization_id == world.org.id
        assert assigned.clinic_id == world.clinic_b.id
        assert assigned.details["role"] == "editor"
        assert by_action["user.updated"].details == {"fields": ["full_name"]}
        assert "Eva" not in str(by_action["user.updated"].details)  # no personal content

    async def test_scope_must_belong_to_the_organization(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        analyst = world.user(Role.analyst).id
        before = await count(database, RoleAssignment)
        for scope_type, scope_id in (
            ("clinic", world.other_clinic.id),
            ("clinic", world.region_nord.id),
            ("organization", world.other_org.id),
            ("region", uuid.uuid4()),
        ):
            body = {
                "user_id": str(analyst),
                "role": "editor",
                "scope_type": scope_type,
                "scope_id": str(scope_id),
            }
            problem = assert_problem(
                await client.post("/api/v1/role-assignments", json=body, headers=admin), 422
            )
            assert problem["errors"][0]["field"] == "body.scope_id"
        bad = {
            "user_id": str(analyst),
            "role": "superuser",
            "scope_type": "galaxy",
            "scope_id": "x",
        }
        fields = {
            e["field"]
            for e in assert_problem(
                await client.post("/api/v1/role-assignments", json=bad, headers=admin), 422
            )["errors"]
        }
        assert fields == {"body.role", "body.scope_type", "body.scope_id"}
        assert await count(database, RoleAssignment) == before

    async def test_other_organizations_users_do_not_exist(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        other_admin = await login(client, OTHER_ADMIN, world.password)
        editor = world.user(Role.editor).id
        assert_problem(await client.get(f"/api/v1/users/{editor}", headers=other_admin), 404)
        assert_problem(
            await client.patch(
                f"/api/v1/users/{editor}", json={"full_name": "X"}, headers=other_admin
            ),
            404,
        )
        body = {
            "user_id": str(editor),
            "role": "editor",
            "scope_type": "organization",
            "scope_id": str(world.other_org.id),
        }
        assert_problem(
            await client.post("/api/v1/role-assignments", json=body, headers=other_admin), 404
        )
        listed = (await client.get("/api/v1/users", headers=other_admin)).json()["items"]
        assert [u["email"] for u in listed] == [OTHER_ADMIN]
        assignments = (await client.get("/api/v1/role-assignments", headers=other_admin)).json()[
            "items"
        ]
        assert {a["user_id"] for a in assignments} == {str(world.user(OTHER_ADMIN).id)}
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        mine = (await client.get("/api/v1/role-assignments", headers=admin)).json()["items"]
        foreign = next(a for a in assignments)
        assert foreign["id"] not in {a["id"] for a in mine}
        assert_problem(
            await client.delete(f"/api/v1/role-assignments/{foreign['id']}", headers=admin), 404
        )


class TestMe:
    async def test_moderator_sees_only_their_clinic(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.moderator], world.password)
        me = (await client.get("/api/v1/me", headers=headers)).json()
        assert me["organization_permissions"] == []
        assert [c["clinic_name"] for c in me["clinics"]] == ["Klinikum A"]
        assert "inbox.work" in me["clinics"][0]["permissions"]
        assert me["role_assignments"][0]["scope_name"] == "Klinikum A"

    async def test_regions_with_what_the_user_may_do_region_wide(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        comms = await login(client, ROLE_EMAILS[Role.comms_lead], world.password)
        regions = (await client.get("/api/v1/me", headers=comms)).json()["regions"]
        assert [(r["region_name"], r["clinic_ids"]) for r in regions] == [
            ("Region Nord", [str(world.clinic_a.id)]),
            ("Region Süd", [str(world.clinic_b.id)]),
        ]
        assert all("crisis.manage" in r["permissions"] for r in regions)
        # The moderator works in clinic A only: region Nord (its only clinic), not Süd …
        moderator = await login(client, ROLE_EMAILS[Role.moderator], world.password)
        [nord] = (await client.get("/api/v1/me", headers=moderator)).json()["regions"]
        assert nord["region_id"] == str(world.region_nord.id)
        assert "inbox.work" in nord["permissions"]
        # … and once Nord has a second clinic, nothing region-wide.
        async with database.session_scope() as session:
            session.add(
                Clinic(organization_id=world.org.id, region_id=world.region_nord.id,
                       name="Klinikum A2", slug="a2")
            )  # fmt: skip
        [nord] = (await client.get("/api/v1/me", headers=moderator)).json()["regions"]
        assert len(nord["clinic_ids"]) == 2
        assert nord["permissions"] == []
        other = await login(client, OTHER_ADMIN, world.password)
        assert (await client.get("/api/v1/me", headers=other)).json()["regions"] == []

    async def test_update_own_profile(self, client: httpx.AsyncClient, world: World) -> None:
        headers = await login(client, ROLE_EMAILS[Role.moderator], world.password)
        response = await client.patch(
            "/api/v1/me", json={"locale": "en", "full_name": "Tim S."}, headers=headers
        )
        assert response.status_code == 200
        assert response.json()["user"]["locale"] == "en"
        assert_problem(
            await client.patch("/api/v1/me", json={"email": "x@y.example"}, headers=headers), 422
        )
        assert_problem(
            await client.patch("/api/v1/me", json={"is_active": True}, headers=headers), 422
        )

    async def test_roles_table(self, client: httpx.AsyncClient, world: World) -> None:
        headers = await login(client, ROLE_EMAILS[Role.analyst], world.password)
        roles = {
            r["role"]: r
            for r in (await client.get("/api/v1/roles", headers=headers)).json()["items"]
        }
        assert set(roles) == {r.value for r in Role}
        assert roles["moderator"]["label_de"] == "Moderation"
        assert "users.manage" in roles["admin"]["permissions"]
        assert "users.manage" not in roles["comms_lead"]["permissions"]


class TestExplicitNull:
    @pytest.mark.parametrize("field", ["full_name", "locale", "is_active"])
    async def test_null_is_refused_and_nothing_changes(
        self, field: str, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        target = world.user(Role.editor).id
        response = await client.patch(f"/api/v1/users/{target}", json={field: None}, headers=admin)
        assert assert_problem(response, 422)["errors"][0]["field"] == f"body.{field}"
        me = await client.patch(
            "/api/v1/me",
            json={field: None} if field != "is_active" else {"locale": None},
            headers=admin,
        )
        assert_problem(me, 422)
        user = (await client.get(f"/api/v1/users/{target}", headers=admin)).json()
        assert user["is_active"] is True
        assert user["full_name"] == "Redaktion"

    async def test_malformed_json_is_422(self, client: httpx.AsyncClient, world: World) -> None:
        admin = await login(client, ROLE_EMAILS[Role.admin], world.password)
        response = await client.patch(
            f"/api/v1/users/{world.user(Role.editor).id}",
            content=b"\xff\x00{",
            headers={**admin, "content-type": "application/json"},
        )
        assert_problem(response, 422)
