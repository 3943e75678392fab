"""Worker jobs of the channels module: finish connect flows, keep tokens healthy."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx

from app.channels import service
from app.vault.service import SecretBox, keyring_from
from app.worker import TASKS, task
from app.worker.runner import TaskContext


@task(service.COMPLETE_TASK, max_attempts=5)
async def complete_connection(ctx: TaskContext, connection_id: str) -> None:
    """Exchange the code (or log in to Bluesky) and create the channels."""
    box = SecretBox(keyring_from(ctx.settings))
    async with httpx.AsyncClient() as http:
        await service.complete_connection(
            ctx.database, box, http, uuid.UUID(connection_id), settings=ctx.settings,
            final_attempt=ctx.attempt >= TASKS[service.COMPLETE_TASK].max_attempts,
        )  # fmt: skip


@task("channels.check_tokens", max_attempts=1, every=timedelta(hours=6))
async def check_tokens(ctx: TaskContext) -> None:
    """Refresh tokens expiring soon; channels whose authorization is gone need a reconnect."""
    box = SecretBox(keyring_from(ctx.settings))
    async with httpx.AsyncClient() as http:
        await service.check_tokens(ctx.database, box, http)
