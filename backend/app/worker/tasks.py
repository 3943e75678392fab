from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import col

from app.kit.time import utc_now
from app.worker import task
from app.worker.models import Job, JobStatus
from app.worker.runner import TaskContext

KEEP_FINISHED = timedelta(days=14)


@task("worker.purge_finished", every=timedelta(days=1))
async def purge_finished(ctx: TaskContext) -> None:
    """Delete finished jobs after two weeks; failed ones stay for inspection."""
    async with ctx.database.session_scope() as session:
        await session.execute(
            delete(Job).where(
                col(Job.status) == JobStatus.done,
                col(Job.finished_at) < utc_now() - KEEP_FINISHED,
            )
        )
