from __future__ import annotations

import httpx
import pytest
from fixtures.helpers import count
from pydantic import SecretStr
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.config import Settings
from app.demo.seed import DEMO_USERS, demo_password, has_data, seed_demo
from app.kit.db import Database
from app.main import create_app
from app.tenancy.models import Clinic, Region
from app.users.bootstrap import create_admin
from app.users.models import User


async def test_demo_data_is_a_working_hospital_group(
    database: Database, settings: Settings
) -> None:
    async with database.session_scope() as session:
        assert not await has_data(session)
        emails = await seed_demo(session, settings, "Demo-Passwort-Musterland")
    assert len(emails) == 7
    assert "moderation@klinikfunk.example" in emails
    assert await count(database, Clinic) == 3
    assert await count(database, Region) == 2
    app = create_app(settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        for demo in DEMO_USERS:
            email = f"{demo.local}@klinikfunk.example"
            response = await client.post(
                "/api/v1/auth/login", json={"email": email, "password": "Demo-Passwort-Musterland"}
            )
            assert response.status_code == 200, email
            headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
            me = (await client.get("/api/v1/me", headers=headers)).json()
            assert me["role_assignments"][0]["role"] == demo.role.value
            clinics = [c["clinic_name"] for c in me["clinics"]]
            assert clinics == (
                ["Klinikum Musterstadt"] if demo.local == "moderation" else sorted(clinics)
            )
            assert len(clinics) == (1 if demo.local == "moderation" else 3)
    async with database.session_scope() as session:
        assert await has_data(session)


def test_demo_password_is_generated_once_and_kept_private(settings: Settings) -> None:
    first = demo_password(settings)
    assert first == demo_password(settings)
    assert len(first) >= 12
    assert (settings.data_dir / "demo_password").stat().st_mode & 0o077 == 0
    settings.demo_password = SecretStr("Aus-der-Umgebung-2026")
    assert demo_password(settings) == "Aus-der-Umgebung-2026"


def test_secret_key_is_generated_once_and_private(settings: Settings) -> None:
    settings.secret_key = None
    key = settings.signing_key()
    assert len(key) >= 48
    assert key == settings.signing_key()
    assert (settings.data_dir / "secret_key").stat().st_mode & 0o077 == 0


async def test_create_admin_creates_org_user_and_audit(
    database: Database, settings: Settings
) -> None:
    settings.database_url = database.url
    await create_admin(
        settings, email="Chefin@Klinik.example", full_name="Dr. Chefin", organization="Klinikum Test",
        password="ein sicheres Passwort",
    )  # fmt: skip
    async with database.session_scope() as session:
        user = (await session.execute(select(User))).scalar_one()
        assert user.email == "chefin@klinik.example"
        event = (await session.execute(select(AuditEvent))).scalar_one()
        assert event.action == "user.created"
        assert event.details["source"] == "cli"
    with pytest.raises(ValueError, match="exists already"):
        await create_admin(settings, email="chefin@klinik.example", full_name="X", organization="Klinikum Test",
                           password="ein sicheres Passwort")  # fmt: skip
    with pytest.raises(ValueError, match="common"):
        await create_admin(
            settings,
            email="b@klinik.example",
            full_name="X",
            organization="Y",
            password="password1",
        )


def test_production_refuses_unsafe_settings() -> None:
    from pydantic import ValidationError

    from app.config import Environment

    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env=Environment.production, database_url="postgresql+asyncpg://x/y")
    with pytest.raises(ValidationError, match="PostgreSQL"):
        Settings(env=Environment.production, secret_key="k" * 40)
