"""Small SQL helpers that differ between PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_or_ignore(
    session: AsyncSession, model: Any, conflict: list[str], values: dict[str, Any]
) -> None:
    """``INSERT … ON CONFLICT DO NOTHING``: safe when several processes race to create a row."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    )


def for_update(session: AsyncSession, statement: Select[Any]) -> Select[Any]:
    """Lock the selected rows until commit on PostgreSQL; SQLite serialises writers anyway."""
    if session.get_bind().dialect.name == "postgresql":
        return statement.with_for_update()
    return statement
