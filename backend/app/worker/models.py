from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field

from app.kit.models import JSONType, RecordModel, enum_column, utc_column


class JobStatus(StrEnum):
    """`queued` waits for its time; `running` is leased to a worker; `done` and `failed` are final."""

    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(RecordModel, table=True):
    """A unit of background work, written in the same transaction as the change causing it."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "status", "run_at"),)

    task: str = Field(max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    status: JobStatus = enum_column(JobStatus, default=JobStatus.queued)
    run_at: datetime = utc_column()
    attempts: int = 0
    max_attempts: int = 5
    locked_by: str | None = Field(default=None, max_length=100)
    locked_until: datetime | None = utc_column(default=None)
    last_error: str | None = Field(default=None, max_length=2000)
    finished_at: datetime | None = utc_column(default=None)
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
