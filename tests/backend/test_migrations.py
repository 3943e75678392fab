from __future__ import annotations

import asyncio
from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.kit.migrations import downgrade, upgrade
from app.models import metadata


async def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    engine = create_async_engine(url, poolclass=NullPool)
    async with engine.connect() as connection:
        tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        diff = await connection.run_sync(
            lambda c: compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), metadata
            )
        )
    await engine.dispose()
    return tables, diff


def test_upgrade_from_empty_matches_models_and_downgrades_to_nothing(
    new_empty_database: Callable[[], str],
) -> None:
    asyncio.run(_upgrade_check_downgrade(new_empty_database()))


async def _upgrade_check_downgrade(url: str) -> None:
    await upgrade(url)
    tables, diff = await _tables_and_diff(url)
    assert set(metadata.tables) <= tables
    assert diff == [], f"models and migrations drifted: {diff}"
    await downgrade(url)
    tables, _ = await _tables_and_diff(url)
    assert tables <= {"alembic_version"}
    await upgrade(url)  # and up again, cleanly
    tables, _ = await _tables_and_diff(url)
    assert set(metadata.tables) <= tables
