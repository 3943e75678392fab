"""Throttling before the platform does (platforms.md §1.2), shared by every worker through the
``publishing_throttles`` table.

* **Usage**: connectors report the usage headers of every response; at or above
  ``publish_throttle_percent`` the scope is blocked until the platform's regain estimate (or a
  cool-down) has passed. Nothing is claimed for a blocked scope: its publications wait, which
  is neither a failure nor an attempt.
* **Concurrency caps**: calls in flight (armed publications whose result is not recorded yet)
  per account and per platform, counted across workers while the cap rows are locked, so two
  workers never both take the last slot.

Scopes: ``"<platform>:<account id>"`` for an account, ``"<platform>:*"`` for the platform's
cap, and the app budget (``"meta:app"`` for Facebook and Instagram, one Meta app)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.channels.models import Channel
from app.config import Settings
from app.connectors.base import Platform
from app.connectors.usage import UsageReport
from app.publishing.models import Publication, PublicationStatus, PublishingThrottle

_APP_SCOPES = {Platform.FACEBOOK: "meta:app", Platform.INSTAGRAM: "meta:app"}


def account_scope(platform: Platform, account_id: str) -> str:
    return f"{platform.value}:{account_id}"


def platform_scope(platform: Platform) -> str:
    return f"{platform.value}:*"


def app_scope(platform: Platform) -> str:
    return _APP_SCOPES.get(platform, f"{platform.value}:app")


def usage_scopes(platform: Platform, account_id: str) -> tuple[str, str]:
    """The scopes whose usage can block a call on this account: the app and the account."""
    return app_scope(platform), account_scope(platform, account_id)


@dataclass(frozen=True)
class Block:
    until: datetime
    percent: float


async def blocked(session: AsyncSession, now: datetime) -> dict[str, Block]:
    """Scopes nobody may call right now."""
    rows = (
        await session.execute(
            select(PublishingThrottle).where(col(PublishingThrottle.blocked_until) > now)
        )
    ).scalars()
    return {r.scope: Block(r.blocked_until, r.usage_percent) for r in rows if r.blocked_until}


def first_block(blocks: dict[str, Block], scopes: Iterable[str]) -> Block | None:
    found = [blocks[s] for s in scopes if s in blocks]
    return max(found, key=lambda b: b.until) if found else None


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def record_usage(
    session: AsyncSession,
    settings: Settings,
    reports: dict[str, UsageReport],
    now: datetime,
) -> None:
    """Store the latest usage per scope; at or above the threshold the scope is blocked until
    the platform's estimate (at least the cool-down), below it any block is lifted."""
    if not reports:
        return
    rows = []
    for scope, report in sorted(reports.items()):
        until = None
        if report.percent >= settings.publish_throttle_percent:
            wait = max(report.regain_seconds, float(settings.publish_throttle_cooldown_seconds))
            until = now + timedelta(seconds=wait)
        rows.append(
            {"scope": scope, "usage_percent": report.percent, "blocked_until": until,
             "updated_at": now}
        )  # fmt: skip
    statement = _insert(session)(PublishingThrottle).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["scope"],
            set_={
                "usage_percent": statement.excluded.usage_percent,
                "blocked_until": statement.excluded.blocked_until,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )


async def lock(session: AsyncSession, scopes: Iterable[str], now: datetime) -> None:
    """Take the cap rows of ``scopes`` (created when missing) until commit, in a fixed order so
    two workers never deadlock; throttle rows are always the last locks a transaction takes."""
    wanted = sorted(set(scopes))
    if not wanted:
        return
    rows = [{"scope": s, "usage_percent": 0.0, "updated_at": now} for s in wanted]
    await session.execute(
        _insert(session)(PublishingThrottle)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["scope"])
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(col(PublishingThrottle.scope))
            .where(col(PublishingThrottle.scope).in_(wanted))
            .order_by(col(PublishingThrottle.scope))
            .with_for_update()
        )


async def busy(session: AsyncSession, now: datetime, *, armed_only: bool) -> dict[str, int]:
    """Publications being worked on under a live lease, per account scope and platform scope.
    ``armed_only``: only those whose platform call has started (``attempt_started_at``)."""
    conditions = [
        col(Publication.status) == PublicationStatus.publishing,
        col(Publication.lease_until) > now,
    ]
    if armed_only:
        conditions.append(col(Publication.attempt_started_at).is_not(None))
    rows = await session.execute(
        select(col(Channel.platform), col(Channel.platform_account_id), func.count())
        .select_from(Publication)
        .join(Channel, col(Channel.id) == col(Publication.channel_id))
        .where(*conditions)
        .group_by(col(Channel.platform), col(Channel.platform_account_id))
    )
    counts: dict[str, int] = {}
    for platform, account_id, n in rows:
        counts[account_scope(platform, account_id)] = n
        key = platform_scope(platform)
        counts[key] = counts.get(key, 0) + n
    return counts


class Slots:
    """Free call slots per account and per platform, taken one publication at a time."""

    def __init__(self, settings: Settings, counts: dict[str, int]) -> None:
        self.per_account = settings.publish_max_in_flight_per_account
        self.per_platform = settings.publish_max_in_flight_per_platform
        self.counts = dict(counts)

    def take(self, platform: Platform, account_id: str) -> bool:
        account, whole = account_scope(platform, account_id), platform_scope(platform)
        if self.counts.get(account, 0) >= self.per_account:
            return False
        if self.counts.get(whole, 0) >= self.per_platform:
            return False
        self.counts[account] = self.counts.get(account, 0) + 1
        self.counts[whole] = self.counts.get(whole, 0) + 1
        return True
