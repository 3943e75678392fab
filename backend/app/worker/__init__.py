"""Background jobs: ``@task`` declares one, ``enqueue_job`` writes it in the caller's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.time import utc_now
from app.worker.models import Job

TaskFn = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    fn: TaskFn
    max_attempts: int
    every: timedelta | None


TASKS: dict[str, TaskSpec] = {}

PollerFn = Callable[[Any], Awaitable[int]]
POLLERS: dict[str, PollerFn] = {}
"""Loops that claim their own leased rows (e.g. due publications); each worker runs every
poller once per loop iteration. A poller returns how many items it handled."""


def poller(name: str) -> Callable[[PollerFn], PollerFn]:
    """Register ``fn(ctx: PollContext) -> int``, run by every worker on every iteration."""

    def register(fn: PollerFn) -> PollerFn:
        if name in POLLERS:
            raise ValueError(f"poller {name!r} registered twice")
        POLLERS[name] = fn
        return fn

    return register


def task(
    name: str, *, max_attempts: int = 5, every: timedelta | None = None
) -> Callable[[TaskFn], TaskFn]:
    """Register an async job function ``fn(ctx, **payload)``; ``every`` makes it periodic."""

    def register(fn: TaskFn) -> TaskFn:
        if name in TASKS:
            raise ValueError(f"task {name!r} registered twice")
        TASKS[name] = TaskSpec(name, fn, max_attempts, every)
        return fn

    return register


def enqueue_job(
    session: AsyncSession,
    name: str,
    *,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    **payload: Any,
) -> Job:
    """Add a job to the current transaction: it exists only if the transaction commits."""
    spec = TASKS[name]
    job = Job(
        task=name,
        payload=payload,
        run_at=run_at or utc_now(),
        max_attempts=spec.max_attempts,
        dedupe_key=dedupe_key,
    )
    session.add(job)
    return job
