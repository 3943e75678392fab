from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fixtures.helpers import assert_problem, audit_actions
from fixtures.world import ROLE_EMAILS, World
from sqlalchemy import select, update

from app.auth.models import UserSession
from app.auth.permissions import Role
from app.config import Settings
from app.kit.db import Database

ADMIN = ROLE_EMAILS[Role.admin]
WEB = {"X-Klinikfunk-Client": "web"}


async def _login(client: httpx.AsyncClient, world: World, email: str = ADMIN) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": world.password}
    )
    assert response.status_code == 200
    body: dict[str, str] = response.json()
    return body


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestRefreshRotation:
    async def test_refresh_rotates_and_old_token_is_single_use(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        first = await _login(client, world)
        second = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert second.status_code == 200
        rotated = second.json()
        assert rotated["refresh_token"] != first["refresh_token"]
        assert (
            await client.get("/api/v1/me", headers=_bearer(rotated["access_token"]))
        ).status_code == 200

        # Reuse of the rotated-away token: refused, and the whole family dies with it.
        reuse = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert "old refresh token" in assert_problem(reuse, 401)["detail"]
        current = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}
        )
        assert_problem(current, 401)
        assert_problem(
            await client.get("/api/v1/me", headers=_bearer(rotated["access_token"])), 401
        )
        assert "auth.refresh_reused" in await audit_actions(database)

    async def test_unknown_or_missing_refresh_token(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        assert_problem(
            await client.post("/api/v1/auth/refresh", json={"refresh_token": "nope"}), 401
        )
        assert_problem(await client.post("/api/v1/auth/refresh", json={}), 401)
        assert_problem(await client.post("/api/v1/auth/refresh", json={"refresh_token": ""}), 422)

    async def test_idle_session_cannot_be_refreshed(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        tokens = await _login(client, world)
        async with database.session_scope() as session:
            user_session = (await session.execute(select(UserSession))).scalar_one()
            user_session.idle_expires_at = user_session.last_used_at - timedelta(seconds=1)
        response = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert "expired" in assert_problem(response, 401)["detail"]

    async def test_absolute_lifetime_ends_session(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        tokens = await _login(client, world)
        async with database.session_scope() as session:
            await session.execute(
                update(UserSession).values(absolute_expires_at=UserSession.created_at)  # type: ignore[arg-type]
            )
        assert_problem(
            await client.post(
                "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
            ),
            401,
        )

    async def test_moderators_get_the_longer_phone_session(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        await _login(client, world, ROLE_EMAILS[Role.moderator])
        await _login(client, world, ROLE_EMAILS[Role.editor])
        async with database.session_scope() as session:
            sessions = {
                s.user_id: s.absolute_expires_at - s.created_at
                for s in (await session.execute(select(UserSession))).scalars()
            }
        assert sessions[world.user(Role.moderator).id] >= timedelta(days=29)
        assert sessions[world.user(Role.editor).id] <= timedelta(hours=12, seconds=5)


class TestLogout:
    async def test_logout_ends_access_and_refresh(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        tokens = await _login(client, world)
        response = await client.post(
            "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
        )
        assert response.status_code == 204
        assert_problem(await client.get("/api/v1/me", headers=_bearer(tokens["access_token"])), 401)
        assert_problem(
            await client.post(
                "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
            ),
            401,
        )
        assert "auth.logout" in await audit_actions(database)

    async def test_logout_with_unknown_token_is_harmless(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        assert (
            await client.post("/api/v1/auth/logout", json={"refresh_token": "x"})
        ).status_code == 204


class TestWebCookie:
    async def test_login_sets_hardened_cookie_and_hides_token(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.post(
            "/api/v1/auth/login", json={"email": ADMIN, "password": world.password}, headers=WEB
        )
        assert response.status_code == 200
        assert response.json()["refresh_token"] is None
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-klinikfunk_refresh=")
        lowered = cookie.lower()
        for attribute in ("httponly", "secure", "samesite=strict", "path=/"):
            assert attribute in lowered
        assert "domain=" not in lowered

    async def test_refresh_and_logout_by_cookie(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        login = await client.post(
            "/api/v1/auth/login", json={"email": ADMIN, "password": world.password}, headers=WEB
        )
        cookie = login.cookies["__Host-klinikfunk_refresh"]
        jar = {"__Host-klinikfunk_refresh": cookie}
        refreshed = await client.post("/api/v1/auth/refresh", headers=WEB, cookies=jar)
        assert refreshed.status_code == 200
        new_cookie = refreshed.cookies["__Host-klinikfunk_refresh"]
        assert new_cookie != cookie
        out = await client.post(
            "/api/v1/auth/logout", headers=WEB, cookies={"__Host-klinikfunk_refresh": new_cookie}
        )
        assert out.status_code == 204
        assert 'klinikfunk_refresh=""' in out.headers["set-cookie"]
        assert_problem(
            await client.post(
                "/api/v1/auth/refresh",
                headers=WEB,
                cookies={"__Host-klinikfunk_refresh": new_cookie},
            ),
            401,
        )

    async def test_cookie_without_client_header_or_from_other_origin_is_refused(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        login = await client.post(
            "/api/v1/auth/login", json={"email": ADMIN, "password": world.password}, headers=WEB
        )
        jar = {"__Host-klinikfunk_refresh": login.cookies["__Host-klinikfunk_refresh"]}
        assert_problem(await client.post("/api/v1/auth/refresh", cookies=jar), 403)
        cross = {**WEB, "Origin": "https://evil.example"}
        assert_problem(await client.post("/api/v1/auth/refresh", headers=cross, cookies=jar), 403)
        assert_problem(await client.post("/api/v1/auth/logout", headers=cross, cookies=jar), 403)
        same = {**WEB, "Origin": "http://testserver"}
        assert (
            await client.post("/api/v1/auth/refresh", headers=same, cookies=jar)
        ).status_code == 200


async def test_housekeeping_deletes_dead_sessions_only(
    client: httpx.AsyncClient, world: World, database: Database, settings: Settings
) -> None:
    from app.auth.models import RefreshToken
    from app.auth.tasks import purge_expired
    from app.worker.runner import TaskContext

    dead = await _login(client, world)
    alive = await _login(client, world, ROLE_EMAILS[Role.editor])
    await client.post("/api/v1/auth/logout", json={"refresh_token": dead["refresh_token"]})
    async with database.session_scope() as session:
        for revoked in (await session.execute(select(UserSession))).scalars():
            if revoked.revoked_at is not None:
                revoked.revoked_at -= timedelta(days=2)
    await purge_expired(TaskContext(database, settings, uuid.uuid4(), 1))
    async with database.session_scope() as session:
        sessions = (await session.execute(select(UserSession))).scalars().all()
        tokens = (await session.execute(select(RefreshToken))).scalars().all()
    assert [s.user_id for s in sessions] == [world.user(Role.editor).id]
    assert {t.session_id for t in tokens} == {sessions[0].id}
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": alive["refresh_token"]}
    )
    assert refreshed.status_code == 200


async def test_one_refresh_token_used_twice_at_once_rotates_once(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    import asyncio

    tokens = await _login(client, world)
    body = {"refresh_token": tokens["refresh_token"]}
    first, second = await asyncio.gather(
        client.post("/api/v1/auth/refresh", json=body),
        client.post("/api/v1/auth/refresh", json=body),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 401]
    winner = first if first.status_code == 200 else second
    # The loser presented a used token: the whole session ends, the winner's pair too.
    assert_problem(
        await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": winner.json()["refresh_token"]}
        ),
        401,
    )
