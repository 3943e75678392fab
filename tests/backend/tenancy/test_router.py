from __future__ import annotations

import httpx
import pytest
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import OTHER_ADMIN, ROLE_EMAILS, World, login

from app.auth.permissions import Role
from app.kit.db import Database
from app.tenancy.models import Clinic, Region


class TestClinicIsolation:
    async def test_moderator_of_clinic_a_never_sees_clinic_b(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.moderator], world.password)
        clinics = (await client.get("/api/v1/clinics", headers=headers)).json()
        assert [c["name"] for c in clinics["items"]] == ["Klinikum A"]
        assert (
            await client.get(f"/api/v1/clinics/{world.clinic_a.id}", headers=headers)
        ).status_code == 200
        b = await client.get(f"/api/v1/clinics/{world.clinic_b.id}", headers=headers)
        unknown = await client.get(f"/api/v1/clinics/{world.other_clinic.id}", headers=headers)
        strip = lambda p: {k: v for k, v in p.items() if k != "instance"}  # noqa: E731
        assert strip(assert_problem(b, 404)) == strip(assert_problem(unknown, 404))
        regions = (await client.get("/api/v1/regions", headers=headers)).json()
        assert [r["name"] for r in regions["items"]] == ["Region Nord"]
        assert_problem(
            await client.get(f"/api/v1/regions/{world.region_sued.id}", headers=headers), 404
        )

    async def test_other_organization_is_invisible(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        headers = await login(client, OTHER_ADMIN, world.password)
        assert [
            c["name"]
            for c in (await client.get("/api/v1/clinics", headers=headers)).json()["items"]
        ] == ["Anderswo Klinik"]
        for path in (
            f"/api/v1/clinics/{world.clinic_a.id}",
            f"/api/v1/regions/{world.region_nord.id}",
            f"/api/v1/organizations/{world.org.id}",
        ):
            assert_problem(await client.get(path, headers=headers), 404)
        assert_problem(
            await client.patch(
                f"/api/v1/clinics/{world.clinic_a.id}", json={"name": "Übernommen"}, headers=headers
            ),
            404,
        )
        orgs = (await client.get("/api/v1/organizations", headers=headers)).json()["items"]
        assert [o["slug"] for o in orgs] == ["anderswo"]


class TestManageClinics:
    async def test_admin_creates_updates_and_deactivates(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
        created = await client.post(
            "/api/v1/clinics", headers=headers,
            json={"name": "Klinik Ostufer", "slug": "ostufer", "region_id": str(world.region_nord.id)},
        )  # fmt: skip
        assert created.status_code == 201
        clinic = created.json()
        assert clinic["timezone"] == "Europe/Berlin"
        patched = await client.patch(
            f"/api/v1/clinics/{clinic['id']}",
            json={"region_id": None, "is_active": False},
            headers=headers,
        )
        assert patched.json()["region_id"] is None
        assert patched.json()["is_active"] is False
        actions = await audit_actions(database)
        assert "clinic.created" in actions
        assert "clinic.updated" in actions

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "X", "slug": "Mit Leerzeichen"}, "body.slug"),
            ({"name": "X", "slug": "ok", "timezone": "Mars/Olympus"}, "body.timezone"),
            ({"name": "", "slug": "ok"}, "body.name"),
            (
                {
                    "name": "X",
                    "slug": "ok",
                    "organization_id": "00000000-0000-0000-0000-000000000000",
                },
                "body.organization_id",
            ),
        ],
    )
    async def test_bad_input(
        self,
        body: dict[str, str],
        field: str,
        client: httpx.AsyncClient,
        world: World,
        database: Database,
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
        before = await count(database, Clinic)
        problem = assert_problem(
            await client.post("/api/v1/clinics", json=body, headers=headers), 422
        )
        assert field in [e["field"] for e in problem["errors"]]
        assert await count(database, Clinic) == before

    async def test_conflicts_and_foreign_region(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
        assert_problem(
            await client.post(
                "/api/v1/clinics", json={"name": "Zwei", "slug": "a"}, headers=headers
            ),
            409,
        )
        assert_problem(
            await client.post("/api/v1/regions", json={"name": "Region Nord"}, headers=headers), 409
        )
        other_admin = await login(client, OTHER_ADMIN, world.password)
        foreign = await client.post(
            "/api/v1/clinics",
            json={"name": "Y", "slug": "y", "region_id": str(world.region_nord.id)},
            headers=other_admin,
        )
        assert assert_problem(foreign, 422)["errors"][0]["field"] == "body.region_id"
        assert await count(database, Region) == 2

    @pytest.mark.parametrize(
        "role", [r for r in Role if r is not Role.admin], ids=lambda r: r.value
    )
    async def test_other_roles_cannot_change_structure(
        self, role: Role, client: httpx.AsyncClient, world: World
    ) -> None:
        headers = await login(client, ROLE_EMAILS[role], world.password)
        calls = [
            ("POST", "/api/v1/clinics", {"name": "X", "slug": "x"}),
            ("PATCH", f"/api/v1/clinics/{world.clinic_a.id}", {"name": "X"}),
            ("POST", "/api/v1/regions", {"name": "X"}),
            ("PATCH", f"/api/v1/regions/{world.region_nord.id}", {"name": "X"}),
            ("PATCH", f"/api/v1/organizations/{world.org.id}", {"name": "X"}),
        ]
        for method, path, body in calls:
            assert_problem(await client.request(method, path, json=body, headers=headers), 403)

    async def test_organization_update(self, client: httpx.AsyncClient, world: World) -> None:
        headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
        response = await client.patch(
            f"/api/v1/organizations/{world.org.id}",
            json={"timezone": "Europe/Vienna"},
            headers=headers,
        )
        assert response.json()["timezone"] == "Europe/Vienna"
        assert_problem(
            await client.patch(
                f"/api/v1/organizations/{world.org.id}", json={"slug": "neu"}, headers=headers
            ),
            422,
        )


async def test_null_clears_only_the_region(client: httpx.AsyncClient, world: World) -> None:
    headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
    path = f"/api/v1/clinics/{world.clinic_a.id}"
    for body in ({"name": None}, {"timezone": None}, {"is_active": None}, {"slug": None}):
        assert_problem(await client.patch(path, json=body, headers=headers), 422)
    assert_problem(
        await client.patch(
            f"/api/v1/regions/{world.region_nord.id}", json={"name": None}, headers=headers
        ),
        422,
    )
    assert_problem(
        await client.patch(
            f"/api/v1/organizations/{world.org.id}", json={"name": None}, headers=headers
        ),
        422,
    )
    cleared = await client.patch(path, json={"region_id": None}, headers=headers)
    assert cleared.json()["region_id"] is None
    assert cleared.json()["name"] == "Klinikum A"
