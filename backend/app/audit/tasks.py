"""The audit sequencer: every worker tries on every loop iteration; one links at a time."""

from __future__ import annotations

from app.audit.service import audit_service
from app.worker import poller
from app.worker.runner import PollContext


@poller("audit.sequence")
async def sequence_audit_chain(ctx: PollContext) -> int:
    """Link pending audit events into the hash chain (ADR 0004). Housekeeping: it reports 0 so
    it never keeps an otherwise idle worker from sleeping."""
    async with ctx.database.session_scope() as session:
        await audit_service.sequence(session)
    return 0
