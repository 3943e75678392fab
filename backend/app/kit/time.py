"""Time helpers: store UTC, show and take the clinic's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_valid_timezone(name: str) -> bool:
    return name in _TIMEZONES


def to_zone(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


_TIMEZONES = frozenset(available_timezones())
