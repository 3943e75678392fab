"""First-response due times from a clinic's SLA policy.

A message that arrives within the clinic's office hours (its local time zone, DST-correct via
``zoneinfo``) gets the office target of its priority; one that arrives outside them gets the
on-call target. The target is a duration added to the arrival instant in UTC, so a DST change
in between neither adds nor removes an hour of the promised response time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.inbox.models import Priority

DEFAULT_OFFICE_TARGETS = {"urgent": 15, "high": 60, "normal": 240, "low": 1440}
DEFAULT_ON_CALL_TARGETS = {"urgent": 15, "high": 240, "normal": 720, "low": 2880}
DEFAULT_OFFICE_HOURS = {str(day): ["08:00", "17:00"] for day in range(5)}  # Monday–Friday


@dataclass(frozen=True)
class Policy:
    office_targets: dict[str, int]
    on_call_targets: dict[str, int]
    office_hours: dict[str, list[str]]
    timezone: str

    @classmethod
    def of(cls, row: Any | None, timezone: str) -> Policy:
        if row is None:
            return cls(
                DEFAULT_OFFICE_TARGETS, DEFAULT_ON_CALL_TARGETS, DEFAULT_OFFICE_HOURS, timezone
            )
        return cls(
            {**DEFAULT_OFFICE_TARGETS, **row.office_targets},
            {**DEFAULT_ON_CALL_TARGETS, **row.on_call_targets},
            row.office_hours,  # stored and empty: on call around the clock
            timezone,
        )


def in_office_hours(policy: Policy, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(policy.timezone))
    span = policy.office_hours.get(str(local.weekday()))
    if not span:
        return False
    start, end = (time.fromisoformat(v) for v in span)
    return start <= local.time().replace(tzinfo=None) < end


def due_at(policy: Policy, priority: Priority, arrived_at: datetime) -> datetime:
    office = in_office_hours(policy, arrived_at)
    minutes = (policy.office_targets if office else policy.on_call_targets)[priority.value]
    return arrived_at + timedelta(minutes=int(minutes))
