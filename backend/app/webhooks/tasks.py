"""Worker side: one job per stored delivery; failures are retried with the worker's backoff
while the raw row stays ``received``."""

from __future__ import annotations

import uuid

from app.webhooks.service import PROCESS_TASK, process
from app.worker import task
from app.worker.runner import TaskContext


@task(PROCESS_TASK, max_attempts=10)
async def process_event(ctx: TaskContext, event_id: str) -> None:
    async with ctx.database.session_scope() as session:
        event = await process(session, uuid.UUID(event_id))
        if event is not None:
            session.add(event)
