"""One cursor pagination style for every list: ``?limit=&cursor=`` → ``{items, next_cursor}``."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.errors import field_error

T = TypeVar("T")
MAX_LIMIT = 100


class CursorParams(BaseModel):
    limit: int = 50
    cursor: str | None = None


def _cursor_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (1–100).")] = 50,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="`next_cursor` of the previous page.",
        ),
    ] = None,
) -> CursorParams:
    return CursorParams(limit=limit, cursor=cursor)


Pagination = Annotated[CursorParams, Depends(_cursor_params)]


class CursorPage(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


def _encode(value: Any, row_id: uuid.UUID) -> str:
    if isinstance(value, datetime):
        payload = ["d", value.isoformat(), str(row_id)]
    else:
        payload = ["s", str(value), str(row_id)]
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, value, row_id = json.loads(raw)
        parsed: Any = datetime.fromisoformat(value) if kind == "d" else str(value)
        return parsed, uuid.UUID(row_id)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise field_error("query.cursor", "The cursor is invalid or expired.") from exc


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    params: CursorParams,
    *,
    sort: Any,
    id_column: Any,
    descending: bool = False,
) -> tuple[Sequence[Any], str | None]:
    """Keyset pagination on ``(sort, id)``; returns the page's rows and the next cursor."""
    if params.cursor:
        value, last_id = _decode(params.cursor)
        if descending:
            statement = statement.where(or_(sort < value, and_(sort == value, id_column < last_id)))
        else:
            statement = statement.where(or_(sort > value, and_(sort == value, id_column > last_id)))
    order = (sort.desc(), id_column.desc()) if descending else (sort.asc(), id_column.asc())
    rows = (
        (await session.execute(statement.order_by(*order).limit(params.limit + 1))).scalars().all()
    )
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        next_cursor = _encode(getattr(last, sort.key), last.id)
    return rows, next_cursor
