from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.config import Settings
from app.kit.db import Database
from app.kit.time import utc_now
from app.worker import TASKS, enqueue_job, task
from app.worker.models import Job, JobStatus
from app.worker.runner import TaskContext, Worker

CALLS: list[tuple[str, object]] = []


@task("tests.record", max_attempts=3)
async def record(ctx: TaskContext, value: str) -> None:
    CALLS.append(("record", value))


@task("tests.flaky", max_attempts=2)
async def flaky(ctx: TaskContext, fail_times: int) -> None:
    CALLS.append(("flaky", ctx.attempt))
    if ctx.attempt <= fail_times:
        raise ConnectionError("platform unreachable")


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


async def _jobs(database: Database) -> list[Job]:
    async with database.session_scope() as session:
        return list((await session.execute(select(Job).where(Job.task.like("tests.%")))).scalars())  # type: ignore[attr-defined]


async def _make_due(database: Database) -> None:
    async with database.session_scope() as session:
        for job in (await session.execute(select(Job))).scalars():
            job.run_at = utc_now() - timedelta(seconds=1)


class TestEnqueue:
    async def test_job_exists_only_if_the_transaction_commits(self, database: Database) -> None:
        async def failing_request() -> None:
            async with database.session_scope() as session:
                enqueue_job(session, "tests.record", value="verworfen")
                raise RuntimeError("request failed")

        with pytest.raises(RuntimeError):
            await failing_request()
        async with database.session_scope() as session:
            enqueue_job(session, "tests.record", value="behalten")
        assert [j.payload for j in await _jobs(database)] == [{"value": "behalten"}]

    async def test_job_runs_once_and_is_done(self, database: Database, settings: Settings) -> None:
        async with database.session_scope() as session:
            enqueue_job(session, "tests.record", value="a")
        worker = Worker(database, settings)
        assert await worker.run_once() >= 1
        assert await worker.run_once() == 0 or ("record", "a") in CALLS
        assert CALLS.count(("record", "a")) == 1
        [job] = await _jobs(database)
        assert job.status is JobStatus.done
        assert job.finished_at is not None


class TestRetries:
    async def test_transient_failure_is_retried_later(
        self, database: Database, settings: Settings
    ) -> None:
        async with database.session_scope() as session:
            enqueue_job(session, "tests.flaky", fail_times=1)
        worker = Worker(database, settings)
        await worker.run_once()
        [job] = await _jobs(database)
        assert job.status is JobStatus.queued
        assert "ConnectionError" in (job.last_error or "")
        assert job.run_at >= utc_now() - timedelta(seconds=1)
        await _make_due(database)
        await worker.run_once()
        [job] = await _jobs(database)
        assert job.status is JobStatus.done
        assert CALLS == [("flaky", 1), ("flaky", 2)]

    async def test_gives_up_after_max_attempts(
        self, database: Database, settings: Settings
    ) -> None:
        async with database.session_scope() as session:
            enqueue_job(session, "tests.flaky", fail_times=5)
        worker = Worker(database, settings)
        for _ in range(3):
            await _make_due(database)
            await worker.run_once()
        [job] = await _jobs(database)
        assert job.status is JobStatus.failed
        assert job.attempts == 2

    async def test_expired_lease_is_reclaimed_and_the_old_holder_cannot_settle(
        self, database: Database, settings: Settings
    ) -> None:
        async with database.session_scope() as session:
            enqueue_job(session, "tests.record", value="lease")
        crashed = Worker(database, settings, name="crashed")
        [claimed] = await crashed.claim(10)
        async with database.session_scope() as session:
            job = await session.get(Job, claimed.id)
            assert job is not None
            job.locked_until = utc_now() - timedelta(seconds=1)
        successor = Worker(database, settings, name="successor")
        assert await successor.run_once() >= 1
        await crashed.run_job(claimed)  # the crashed worker wakes up late: no effect on the row
        [job] = await _jobs(database)
        assert job.status is JobStatus.done
        assert job.locked_by is None
        assert job.attempts == 2


class TestPeriodic:
    async def test_periodic_tasks_are_scheduled_once_per_slot(
        self, database: Database, settings: Settings
    ) -> None:
        first, second = Worker(database, settings), Worker(database, settings)
        await first.schedule_periodic()
        await second.schedule_periodic()
        async with database.session_scope() as session:
            purges = (
                (await session.execute(select(Job).where(Job.task == "auth.purge_expired")))
                .scalars()
                .all()
            )
        assert len(purges) == 1
        assert TASKS["auth.purge_expired"].every is not None


async def test_concurrent_workers_never_share_a_job(database: Database, settings: Settings) -> None:
    """On PostgreSQL claims use FOR UPDATE SKIP LOCKED; on SQLite writes are serialised."""
    async with database.session_scope() as session:
        for i in range(40):
            enqueue_job(session, "tests.record", value=str(i))
    workers = [Worker(database, settings, name=f"w{i}") for i in range(3)]
    claims = await asyncio.gather(*(w.claim(15) for w in workers))
    ids = [job.id for batch in claims for job in batch]
    assert len(ids) == len(set(ids)) == 40
    assert all(isinstance(i, uuid.UUID) for i in ids)


async def test_housekeeping_removes_only_what_nobody_needs(
    database: Database, settings: Settings
) -> None:
    from app.auth.tasks import purge_expired
    from app.worker.tasks import purge_finished

    old = utc_now() - timedelta(days=30)
    async with database.session_scope() as session:
        session.add_all(
            [
                Job(task="tests.record", run_at=old, status=JobStatus.done, finished_at=old),
                Job(task="tests.record", run_at=old, status=JobStatus.failed, finished_at=old),
                Job(
                    task="tests.record",
                    run_at=utc_now(),
                    status=JobStatus.done,
                    finished_at=utc_now(),
                ),
            ]
        )
    ctx = TaskContext(database, settings, uuid.uuid4(), 1)
    await purge_finished(ctx)
    await purge_expired(ctx)
    remaining = sorted((j.status.value, j.finished_at == old) for j in await _jobs(database))
    assert remaining == [("done", False), ("failed", True)]


async def test_pollers_run_on_every_iteration_and_a_failing_one_does_not_stop_the_rest(
    database: Database, settings: Settings
) -> None:
    from app.worker import POLLERS, poller
    from app.worker.runner import PollContext

    seen: list[str] = []

    @poller("tests.broken")
    async def broken(ctx: PollContext) -> int:
        raise RuntimeError("boom")

    @poller("tests.counting")
    async def counting(ctx: PollContext) -> int:
        seen.append(ctx.worker_name)
        return 2

    try:
        worker = Worker(database, settings, name="poll-worker")
        assert await worker.run_pollers() == 2
        assert seen == ["poll-worker"]
    finally:
        POLLERS.pop("tests.broken")
        POLLERS.pop("tests.counting")
