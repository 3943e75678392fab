"""Backend test set-up: a real database per test (SQLite file or PostgreSQL scratch database),
the real app over ASGI, and a small fictional world of two organizations."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fixtures.sandbox import sandbox_process, sandbox_server
from fixtures.world import World, build_world
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.config import Environment, Settings
from app.kit.db import Database
from app.kit.migrations import upgrade
from app.main import create_app

ENGINE = os.environ.get("KLINIKFUNK_TEST_DATABASE", "sqlite")
PG_URL = os.environ.get(
    "KLINIKFUNK_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
TEST_PASSWORD = "Korrekt-Pferd-Batterie-42"
__all__ = ["sandbox_process", "sandbox_server"]  # the sandbox platform on loopback, for every test


def pytest_report_header() -> str:
    return f"klinikfunk test database: {ENGINE}"


async def _admin_execute(*statements: str) -> None:
    engine = create_async_engine(PG_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    await engine.dispose()


def pg_url_for(name: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def scratch_databases() -> Iterator[list[str]]:
    """PostgreSQL scratch databases created during the run; all dropped at its end."""
    created: list[str] = []
    yield created
    for name in created:
        asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def new_empty_database(tmp_path_factory: pytest.TempPathFactory, scratch_databases: list[str]):  # type: ignore[no-untyped-def]
    """A factory for empty databases of the engine under test; returns their URLs."""

    def make() -> str:
        if ENGINE == "sqlite":
            path = tmp_path_factory.mktemp("db") / "empty.db"
            return f"sqlite+aiosqlite:///{path}"
        name = f"klinikfunk_test_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
        scratch_databases.append(name)
        return pg_url_for(name)

    return make


@pytest.fixture(scope="session")
def template_url(new_empty_database) -> str:  # type: ignore[no-untyped-def]
    """One database migrated to head per run; tests get copies (SQLite) or truncations (PG)."""
    url: str = new_empty_database()
    asyncio.run(upgrade(url))
    return url


@pytest.fixture
async def database(template_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    if ENGINE == "sqlite":
        source = Path(template_url.split("///", 1)[1])
        target = tmp_path / "test.db"
        shutil.copyfile(source, target)
        db = Database(f"sqlite+aiosqlite:///{target}")
    else:
        db = Database(template_url)
        async with db.engine.begin() as connection:
            tables = (
                await connection.execute(
                    text(
                        "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
                        "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                    )
                )
            ).scalar_one()
            await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    yield db
    await db.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The cheap argon2 profile is allowed only under env=test (SEC-12).
    return Settings(
        env=Environment.test,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-" + "k" * 32,
        embedded_worker=False,
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        argon2_parallelism=1,
        login_slowdown_max_seconds=0.01,
    )


@pytest.fixture
def app(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, database=database)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def world(database: Database, settings: Settings) -> World:
    return await build_world(database, settings, TEST_PASSWORD)
