"""Worker jobs of consent records: the takedown of one publication, the expiry sweep, the
14-day warning and the resumption of takedowns that waited for a reconnect."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.consent.service import TAKEDOWN_MAX_ATTEMPTS, TAKEDOWN_TASK, consent_service
from app.consent.takedown import Takedowns, resume_blocked
from app.kit.time import utc_now
from app.worker import task
from app.worker.runner import TaskContext


@task(TAKEDOWN_TASK, max_attempts=TAKEDOWN_MAX_ATTEMPTS)
async def takedown(ctx: TaskContext, takedown_id: str) -> None:
    """Delete one live publication on its platform, exactly once."""
    owner = f"job:{ctx.job_id}:{ctx.attempt}"
    await Takedowns(ctx.database, ctx.settings, owner).run(uuid.UUID(takedown_id))


@task("consent.expire", every=timedelta(minutes=1))
async def expire(ctx: TaskContext) -> None:
    """End consents whose validity ran out: hold back and take down what depends on them."""
    async with ctx.database.session_scope() as session:
        await consent_service.expire_due(session, utc_now())


@task("consent.warn_expiring", every=timedelta(days=1))
async def warn_expiring(ctx: TaskContext) -> None:
    """Tell privacy officers 14 days before a consent ends (once per record)."""
    async with ctx.database.session_scope() as session:
        await consent_service.warn_expiring(session, utc_now())


@task("consent.resume_takedowns", every=timedelta(minutes=5))
async def resume_takedowns(ctx: TaskContext) -> None:
    """Takedowns that waited for a reconnect continue once the channel is connected."""
    async with ctx.database.session_scope() as session:
        await resume_blocked(session)
