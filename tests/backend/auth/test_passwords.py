from __future__ import annotations

import httpx
from fixtures.helpers import assert_problem, audit_actions
from fixtures.world import ROLE_EMAILS, World, login
from sqlalchemy import select

from app.auth.passwords import Passwords
from app.auth.permissions import Role
from app.config import Environment, Settings
from app.kit.db import Database
from app.users.models import User

EDITOR = ROLE_EMAILS[Role.editor]
ADMIN = ROLE_EMAILS[Role.admin]


class TestHashing:
    def test_production_profile_is_argon2id_rfc9106(self) -> None:
        settings = Settings(env=Environment.development, secret_key="x" * 40)
        assert (
            Passwords(settings).hash("Korrekt-Pferd").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        )

    async def test_old_parameters_are_rehashed_on_login(
        self, client: httpx.AsyncClient, world: World, database: Database, settings: Settings
    ) -> None:
        settings.argon2_time_cost = 2  # the app's profile now differs from the stored hashes
        from app.main import create_app

        app = create_app(settings, database=database)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            await login(c, EDITOR, world.password)
        async with database.session_scope() as session:
            stored = (
                await session.execute(select(User.password_hash).where(User.email == EDITOR))
            ).scalar_one()
        assert stored is not None
        assert ",t=2," in stored


class TestChangeOwnPassword:
    async def test_change_keeps_this_session_and_ends_the_others(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        other_device = await client.post(
            "/api/v1/auth/login", json={"email": EDITOR, "password": world.password}
        )
        headers = await login(client, EDITOR, world.password)
        new = "ein langer neuer Satz als Passwort"
        response = await client.post(
            "/api/v1/me/password", headers=headers,
            json={"current_password": world.password, "new_password": new},
        )  # fmt: skip
        assert response.status_code == 204
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
        stale = {"Authorization": f"Bearer {other_device.json()['access_token']}"}
        assert_problem(await client.get("/api/v1/me", headers=stale), 401)
        await login(client, EDITOR, new)
        assert "user.password_changed" in await audit_actions(database)

    async def test_policy_and_wrong_current_password(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        headers = await login(client, EDITOR, world.password)
        cases = {
            "kurz": "at least 8",
            "password123": "most common",
            "x" * 129: "at most 128",
            EDITOR: "e-mail",
        }
        for candidate, message in cases.items():
            response = await client.post(
                "/api/v1/me/password", headers=headers,
                json={"current_password": world.password, "new_password": candidate},
            )  # fmt: skip
            problem = assert_problem(response, 422)
            assert message in problem["errors"][0]["message"], candidate
            assert problem["errors"][0]["field"] == "body.new_password"
        wrong = await client.post(
            "/api/v1/me/password", headers=headers,
            json={"current_password": "falsch-falsch", "new_password": "ein ganz anderer Satz"},
        )  # fmt: skip
        assert assert_problem(wrong, 422)["errors"][0]["field"] == "body.current_password"
        # Nothing changed: the old password still works.
        await login(client, EDITOR, world.password)

    async def test_long_passphrase_is_accepted(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        headers = await login(client, EDITOR, world.password)
        passphrase = "Ä" + "lange Passphrase " * 3 + "x" * 12
        assert len(passphrase) >= 64
        response = await client.post(
            "/api/v1/me/password", headers=headers,
            json={"current_password": world.password, "new_password": passphrase},
        )  # fmt: skip
        assert response.status_code == 204
        await login(client, EDITOR, passphrase)


class TestAdminReset:
    async def test_reset_link_sets_password_once(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        admin = await login(client, ADMIN, world.password)
        editor_headers = await login(client, EDITOR, world.password)
        editor = world.user(Role.editor)
        link = await client.post(f"/api/v1/users/{editor.id}/password-reset", headers=admin)
        assert link.status_code == 200
        body = link.json()
        assert body["url"].endswith(body["token"])
        assert "/passwort-zuruecksetzen?token=" in body["url"]
        # The user's sessions ended with the reset.
        assert_problem(await client.get("/api/v1/me", headers=editor_headers), 401)
        new = "frisch gesetztes Passwort"
        done = await client.post(
            "/api/v1/auth/password-reset", json={"token": body["token"], "new_password": new}
        )
        assert done.status_code == 204
        await login(client, EDITOR, new)
        again = await client.post(
            "/api/v1/auth/password-reset",
            json={"token": body["token"], "new_password": "noch ein anderes"},
        )
        assert assert_problem(again, 422)["errors"][0]["field"] == "body.token"
        actions = await audit_actions(database)
        assert "user.password_reset_requested" in actions
        assert "user.password_reset_completed" in actions

    async def test_reset_rejects_weak_password_and_keeps_link(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        admin = await login(client, ADMIN, world.password)
        body = (
            await client.post(
                f"/api/v1/users/{world.user(Role.editor).id}/password-reset", headers=admin
            )
        ).json()
        weak = await client.post(
            "/api/v1/auth/password-reset", json={"token": body["token"], "new_password": "12345678"}
        )
        assert_problem(weak, 422)
        ok = await client.post(
            "/api/v1/auth/password-reset",
            json={"token": body["token"], "new_password": "jetzt aber richtig"},
        )
        assert ok.status_code == 204

    async def test_only_admins_of_the_organization_can_reset(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        editor = await login(client, EDITOR, world.password)
        target = world.user(Role.analyst).id
        assert_problem(
            await client.post(f"/api/v1/users/{target}/password-reset", headers=editor), 403
        )
        other_admin = await login(client, "admin@anderswo.example", world.password)
        assert_problem(
            await client.post(f"/api/v1/users/{target}/password-reset", headers=other_admin), 404
        )
