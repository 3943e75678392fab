"""Local wall-clock times in a clinic's time zone → UTC, DST-correct and explicit.

A local time that does not exist (spring forward: 02:30 on the last Sunday of March in
Europe/Berlin) is refused with the nearest valid times; one that exists twice (fall back:
02:30 on the last Sunday of October) is refused unless the caller names ``fold`` (0 = the
first occurrence, summer time; 1 = the second, standard time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.kit.errors import FieldError, Unprocessable

_SEARCH_LIMIT = timedelta(hours=24)
_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class NonexistentLocalTime(Exception):
    local: datetime
    earlier: datetime
    later: datetime


@dataclass(frozen=True)
class AmbiguousLocalTime(Exception):
    local: datetime
    first: datetime
    second: datetime


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def _is_ambiguous(local: datetime, zone: ZoneInfo) -> bool:
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    return first.utcoffset() != second.utcoffset()


def local_to_utc(local: datetime, zone_name: str, fold: int | None = None) -> datetime:
    """The UTC instant of the naive wall-clock time ``local`` in ``zone_name``."""
    if local.tzinfo is not None:
        raise ValueError("local must be naive wall-clock time")
    zone = ZoneInfo(zone_name)
    if not _exists(local, zone):
        earlier, later = local, local
        while not _exists(earlier, zone) and local - earlier < _SEARCH_LIMIT:
            earlier -= _STEP
        while not _exists(later, zone) and later - local < _SEARCH_LIMIT:
            later += _STEP
        raise NonexistentLocalTime(
            local, earlier.replace(tzinfo=zone), later.replace(tzinfo=zone, fold=0)
        )
    if _is_ambiguous(local, zone):
        if fold is None:
            raise AmbiguousLocalTime(
                local, local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
            )
        return local.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    return local.replace(tzinfo=zone).astimezone(UTC)


def resolve_local(local: datetime, zone: str, fold: int | None, field: str) -> datetime:
    """``local_to_utc`` for the API: a nonexistent or ambiguous time answers 422 on ``field``
    with a message naming the valid times (or both instants and ``fold``)."""
    try:
        return local_to_utc(local, zone, fold)
    except NonexistentLocalTime as exc:
        message = (
            f"{exc.local:%d.%m.%Y %H:%M} existiert nicht (Zeitumstellung) in {zone}. "
            f"Nächste gültige Zeiten: {exc.earlier:%H:%M} ({exc.earlier:%Z}) "
            f"oder {exc.later:%H:%M} ({exc.later:%Z}) "
            f"[{exc.earlier.isoformat()} / {exc.later.isoformat()}]."
        )
        raise Unprocessable(
            message, errors=[FieldError(field=field, message=message, type="nonexistent_time")]
        ) from None
    except AmbiguousLocalTime as exc:
        message = (
            f"{exc.local:%d.%m.%Y %H:%M} gibt es wegen der Zeitumstellung zweimal in {zone}: "
            f"fold=0 → {exc.first.isoformat()} ({exc.first:%Z}), "
            f"fold=1 → {exc.second.isoformat()} ({exc.second:%Z}). Bitte `fold` angeben."
        )
        raise Unprocessable(
            message, errors=[FieldError(field=field, message=message, type="ambiguous_time")]
        ) from None
