from __future__ import annotations

from datetime import timedelta

import httpx
from fixtures.helpers import assert_problem, audit_actions
from fixtures.world import ROLE_EMAILS, World, login
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.auth.models import LoginThrottle
from app.auth.permissions import Role
from app.auth.tokens import create_access_token
from app.config import Settings
from app.kit.db import Database
from app.users.models import User

ADMIN = ROLE_EMAILS[Role.admin]
LOGIN = "/api/v1/auth/login"


class TestLogin:
    async def test_success_returns_bearer_pair_and_is_audited(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        response = await client.post(LOGIN, json={"email": ADMIN, "password": world.password})
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 15 * 60
        assert len(body["refresh_token"]) >= 43  # 256-bit secret, urlsafe
        me = await client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert me.status_code == 200
        assert me.json()["user"]["email"] == ADMIN
        async with database.session_scope() as session:
            event = (
                await session.execute(select(AuditEvent).where(AuditEvent.action == "auth.login"))
            ).scalar_one()
        assert event.actor_id == world.user(Role.admin).id
        assert event.ip == "203.0.113.7"

    async def test_email_is_case_insensitive(self, client: httpx.AsyncClient, world: World) -> None:
        response = await client.post(
            LOGIN, json={"email": ADMIN.upper(), "password": world.password}
        )
        assert response.status_code == 200

    async def test_wrong_password_and_unknown_user_answer_identically(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        wrong = await client.post(LOGIN, json={"email": ADMIN, "password": "nicht-das-passwort"})
        unknown = await client.post(
            LOGIN, json={"email": "niemand@musterland.example", "password": "nicht-das-passwort"}
        )
        assert assert_problem(wrong, 401) == assert_problem(unknown, 401)
        assert (await audit_actions(database)).count("auth.login_failed") == 2

    async def test_deactivated_user_cannot_sign_in(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        async with database.session_scope() as session:
            await session.execute(update(User).where(User.email == ADMIN).values(is_active=False))
        response = await client.post(LOGIN, json={"email": ADMIN, "password": world.password})
        assert_problem(response, 401)

    async def test_bad_input_is_422_per_field(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        for body in (
            {},
            {"email": ADMIN},
            {"email": 5, "password": []},
            {"email": ADMIN, "password": "x", "role": "admin"},
        ):
            problem = assert_problem(await client.post(LOGIN, json=body), 422)
            assert problem["errors"], body
        problem = assert_problem(
            await client.post(
                LOGIN, content=b"{not json", headers={"content-type": "application/json"}
            ),
            422,
        )


class TestLockout:
    async def test_account_locks_after_repeated_failures(
        self, client: httpx.AsyncClient, world: World, settings: Settings, database: Database
    ) -> None:
        for _ in range(settings.login_lock_after - 1):
            assert_problem(
                await client.post(LOGIN, json={"email": ADMIN, "password": "falsch-falsch"}), 401
            )
        locked = await client.post(LOGIN, json={"email": ADMIN, "password": "falsch-falsch"})
        problem = assert_problem(locked, 429)
        assert int(locked.headers["Retry-After"]) > 60
        assert "locked" in problem["detail"]
        # Even the right password is refused while the lock lasts.
        again = await client.post(LOGIN, json={"email": ADMIN, "password": world.password})
        assert_problem(again, 429)
        assert "auth.login_locked" in await audit_actions(database)
        # Another account from another address is not affected.
        other = httpx.ASGITransport(app=client._transport.app, client=("198.51.100.1", 1))  # type: ignore[attr-defined]
        async with httpx.AsyncClient(transport=other, base_url="http://testserver") as c2:
            ok = await c2.post(
                LOGIN, json={"email": ROLE_EMAILS[Role.editor], "password": world.password}
            )
            assert ok.status_code == 200

    async def test_lock_expires(
        self, client: httpx.AsyncClient, world: World, settings: Settings, database: Database
    ) -> None:
        for _ in range(settings.login_lock_after):
            await client.post(LOGIN, json={"email": ADMIN, "password": "falsch-falsch"})
        assert_problem(
            await client.post(LOGIN, json={"email": ADMIN, "password": world.password}), 429
        )
        async with database.session_scope() as session:
            throttles = (await session.execute(select(LoginThrottle))).scalars().all()
            for throttle in throttles:
                assert throttle.locked_until is not None or throttle.key.startswith("ip:")
                if throttle.locked_until:
                    throttle.locked_until -= timedelta(minutes=settings.login_lock_minutes + 1)
                    throttle.window_started_at -= timedelta(hours=1)
        assert (
            await client.post(LOGIN, json={"email": ADMIN, "password": world.password})
        ).status_code == 200

    async def test_one_address_trying_many_accounts_is_locked(
        self, client: httpx.AsyncClient, world: World, settings: Settings
    ) -> None:
        settings.login_ip_lock_after = 6
        statuses = [
            (
                await client.post(
                    LOGIN, json={"email": f"user{i}@musterland.example", "password": "raten-raten"}
                )
            ).status_code
            for i in range(6)
        ]
        assert statuses[:5] == [401] * 5
        assert statuses[5] == 429
        blocked = await client.post(LOGIN, json={"email": ADMIN, "password": world.password})
        assert_problem(blocked, 429)


class TestAccessToken:
    async def _token(
        self, settings: Settings, world: World, client: httpx.AsyncClient, **overrides: object
    ) -> str:
        response = await client.post(LOGIN, json={"email": ADMIN, "password": world.password})
        from jose import jwt

        claims = jwt.get_unverified_claims(response.json()["access_token"])
        params = {
            "key": settings.signing_key(), "issuer": settings.jwt_issuer,
            "audience": settings.jwt_audience, "user_id": world.user(Role.admin).id,
            "session_id": __import__("uuid").UUID(claims["sid"]), "lifetime": timedelta(minutes=15),
        }  # fmt: skip
        params.update(overrides)
        return create_access_token(**params)  # type: ignore[arg-type]

    async def test_expired_token_is_refused(
        self, client: httpx.AsyncClient, world: World, settings: Settings
    ) -> None:
        token = await self._token(settings, world, client, lifetime=timedelta(minutes=-2))
        problem = assert_problem(
            await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401
        )
        assert "expired" in problem["detail"]

    async def test_valid_hand_made_token_is_accepted(
        self, client: httpx.AsyncClient, world: World, settings: Settings
    ) -> None:
        token = await self._token(settings, world, client)
        assert (
            await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        ).status_code == 200

    async def test_wrong_audience_issuer_or_key_is_refused(
        self, client: httpx.AsyncClient, world: World, settings: Settings
    ) -> None:
        for override in ({"audience": "other"}, {"issuer": "evil"}, {"key": "k" * 48}):
            token = await self._token(settings, world, client, **override)
            assert_problem(
                await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401
            )

    async def test_forged_algorithms_are_refused(
        self, client: httpx.AsyncClient, world: World, settings: Settings
    ) -> None:
        import base64
        import json

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jose import jwt

        good = await self._token(settings, world, client)
        claims = jwt.get_unverified_claims(good)

        def b64(data: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

        unsigned = f"{b64({'alg': 'none', 'typ': 'at+jwt'})}.{b64(claims)}."
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        rs256 = jwt.encode(claims, pem.decode(), algorithm="RS256", headers={"typ": "at+jwt"})
        hs512 = jwt.encode(
            claims, settings.signing_key(), algorithm="HS512", headers={"typ": "at+jwt"}
        )
        plain_typ = jwt.encode(claims, settings.signing_key(), algorithm="HS256")
        head, _payload, sig = good.split(".")
        tampered = f"{head}.{b64({**claims, 'sub': str(world.user(Role.editor).id)})}.{sig}"
        for token in (unsigned, rs256, hs512, plain_typ, tampered, "not-a-token", good + "x"):
            response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert_problem(response, 401)

    async def test_token_not_yet_valid_is_refused(
        self, client: httpx.AsyncClient, world: World, settings: Settings
    ) -> None:
        from jose import jwt

        good = await self._token(settings, world, client)
        claims = jwt.get_unverified_claims(good)
        claims["nbf"] = claims["iat"] + 120  # beyond the 30 s clock-skew allowance
        early = jwt.encode(
            claims, settings.signing_key(), algorithm="HS256", headers={"typ": "at+jwt"}
        )
        assert_problem(
            await client.get("/api/v1/me", headers={"Authorization": f"Bearer {early}"}), 401
        )
        claims["nbf"] = claims["iat"] + 10  # within the allowance
        skewed = jwt.encode(
            claims, settings.signing_key(), algorithm="HS256", headers={"typ": "at+jwt"}
        )
        assert (
            await client.get("/api/v1/me", headers={"Authorization": f"Bearer {skewed}"})
        ).status_code == 200

    async def test_no_token_is_401_with_challenge(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get("/api/v1/me")
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"

    def test_python_jose_is_patched(self) -> None:
        from importlib.metadata import version

        major, minor, *_ = (int(p) for p in version("python-jose").split(".")[:2])
        assert (major, minor) >= (3, 4)


async def test_login_helper(client: httpx.AsyncClient, world: World) -> None:
    headers = await login(client, ADMIN, world.password)
    assert headers["Authorization"].startswith("Bearer ")


class TestConcurrency:
    async def test_simultaneous_failures_are_all_counted(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        import asyncio

        body = {"email": "neu.im.team@musterland.example", "password": "falsch-falsch"}
        responses = await asyncio.gather(*(client.post(LOGIN, json=body) for _ in range(6)))
        assert sorted(r.status_code for r in responses) == [401] * 6
        async with database.session_scope() as session:
            counts = {
                t.key.split(":")[0]: t.failures
                for t in (await session.execute(select(LoginThrottle))).scalars()
            }
        assert counts == {"account": 6, "ip": 6}
