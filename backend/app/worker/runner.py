"""The worker loop: claim due jobs under a lease, run them, retry with backoff and jitter."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlmodel import col

from app.config import Settings
from app.kit.db import Database
from app.kit.sql import insert_or_ignore
from app.kit.time import utc_now
from app.worker import POLLERS, TASKS, TaskSpec
from app.worker.models import Job, JobStatus

log = logging.getLogger("klinikfunk.worker")


@dataclass
class TaskContext:
    """What a task gets besides its payload: the database and the settings."""

    database: Database
    settings: Settings
    job_id: uuid.UUID
    attempt: int


@dataclass
class PollContext:
    """What a poller gets: the database, the settings and the worker's name (its lease owner)."""

    database: Database
    settings: Settings
    worker_name: str


def backoff(attempt: int, *, base: float = 5.0, cap: float = 3600.0) -> float:
    """Exponential backoff with full jitter, in seconds."""
    return random.uniform(0, min(cap, base * 2 ** (attempt - 1)))


class Worker:
    def __init__(self, database: Database, settings: Settings, *, name: str | None = None) -> None:
        self.database = database
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def schedule_periodic(self) -> None:
        """Insert the next run of each periodic task once, whichever worker gets there first."""
        now = utc_now()
        async with self.database.session_scope() as session:
            for spec in TASKS.values():
                if spec.every is None:
                    continue
                slot = int(now.timestamp() // spec.every.total_seconds())
                values = {
                    "id": uuid.uuid4(), "task": spec.name, "payload": {}, "status": JobStatus.queued,
                    "run_at": now, "attempts": 0, "max_attempts": spec.max_attempts,
                    "dedupe_key": f"{spec.name}@{slot}", "created_at": now, "updated_at": now,
                }  # fmt: skip
                await insert_or_ignore(session, Job, ["dedupe_key"], values)

    async def claim(self, limit: int) -> list[Job]:
        now = utc_now()
        lease = now + timedelta(seconds=self.settings.job_lease_seconds)
        async with self.database.session_scope() as session:
            due = or_(
                (col(Job.status) == JobStatus.queued) & (col(Job.run_at) <= now),
                (col(Job.status) == JobStatus.running) & (col(Job.locked_until) < now),
            )
            statement = select(Job).where(due).order_by(col(Job.run_at)).limit(limit)
            if not self.database.is_sqlite:
                statement = statement.with_for_update(skip_locked=True)
            jobs = list((await session.execute(statement)).scalars())
            for job in jobs:
                job.status = JobStatus.running
                job.locked_by = self.name
                job.locked_until = lease
                job.attempts += 1
            return jobs

    async def run_job(self, job: Job) -> None:
        spec: TaskSpec | None = TASKS.get(job.task)
        ctx = TaskContext(self.database, self.settings, job.id, job.attempts)
        try:
            if spec is None:
                raise LookupError(f"unknown task {job.task!r}")
            await spec.fn(ctx, **job.payload)
        except Exception as exc:
            log.warning(
                "job %s (%s) attempt %d failed: %s",
                job.id,
                job.task,
                job.attempts,
                type(exc).__name__,
            )
            final = spec is None or job.attempts >= job.max_attempts
            values = {
                "status": JobStatus.failed if final else JobStatus.queued,
                "last_error": f"{type(exc).__name__}: {exc}"[:2000],
                "locked_by": None,
                "locked_until": None,
                "run_at": utc_now() + timedelta(seconds=backoff(job.attempts)),
                "finished_at": utc_now() if final else None,
            }
        else:
            values = {
                "status": JobStatus.done,
                "locked_by": None,
                "locked_until": None,
                "finished_at": utc_now(),
            }
        async with self.database.session_scope() as session:
            # Only the lease holder may settle the job; a worker that lost its lease does nothing.
            await session.execute(
                update(Job)
                .where(col(Job.id) == job.id, col(Job.locked_by) == self.name)
                .values(**values)
            )

    async def run_pollers(self) -> int:
        ctx = PollContext(self.database, self.settings, self.name)
        handled = 0
        for name, fn in POLLERS.items():
            try:
                handled += await fn(ctx)
            except Exception:
                log.exception("poller %s failed", name)
        return handled

    async def run_once(self) -> int:
        await self.schedule_periodic()
        jobs = await self.claim(self.settings.worker_concurrency)
        if jobs:
            await asyncio.gather(*(self.run_job(job) for job in jobs))
        return len(jobs) + await self.run_pollers()

    async def run(self) -> None:
        log.info("worker %s started", self.name)
        while not self._stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("worker loop error")
                handled = 0
            if handled == 0:
                try:
                    await asyncio.wait_for(
                        self._stop.wait(), timeout=self.settings.worker_poll_seconds
                    )
                except TimeoutError:
                    pass
        log.info("worker %s stopped", self.name)
