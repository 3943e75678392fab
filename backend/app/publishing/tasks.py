"""The publishing poller: every worker runs it on every loop iteration."""

from __future__ import annotations

from app.publishing.publisher import Publisher
from app.worker import poller
from app.worker.runner import PollContext


@poller("publishing.publish_due")
async def publish_due(ctx: PollContext) -> int:
    """Claim due publications under a lease and publish each exactly once."""
    return await Publisher(ctx.database, ctx.settings, ctx.worker_name).run_once()
