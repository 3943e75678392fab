"""Store a verified delivery once and enqueue its processing; process it into the inbox."""

from __future__ import annotations

import hmac
import logging
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.channels.models import Channel
from app.inbox.ingestion import InboundEvent, ingest
from app.inbox.models import InboxMessage
from app.kit.errors import AppError
from app.kit.sql import for_update
from app.kit.time import utc_now
from app.webhooks import meta
from app.webhooks.models import WebhookEvent, WebhookEventStatus
from app.webhooks.settings import MetaWebhookConfig
from app.worker import enqueue_job

log = logging.getLogger("klinikfunk.webhooks")

PROCESS_TASK = "webhooks.process"


async def store(
    session: AsyncSession, provider: str, body: bytes, envelope: dict[str, Any] | None
) -> bool:
    """Insert the raw delivery unless its dedupe key is stored already, and enqueue one
    processing job in the same transaction. True when it was new."""
    now = utc_now()
    event_id = uuid.uuid4()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {
        "id": event_id, "created_at": now, "updated_at": now, "provider": provider,
        "object": str(envelope.get("object"))[:32] if envelope else None,
        "dedupe_key": meta.dedupe_key(envelope, body), "received_at": now, "body": body,
        "status": WebhookEventStatus.received, "messages_created": 0,
    }  # fmt: skip
    inserted = (
        await session.execute(
            insert(WebhookEvent)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["provider", "dedupe_key"])
            .returning(col(WebhookEvent.id))
        )
    ).scalar_one_or_none()
    if inserted is None:
        return False
    enqueue_job(session, PROCESS_TASK, event_id=str(event_id))
    return True


async def _channels(session: AsyncSession, item: meta.Item) -> list[Channel]:
    rows = await session.execute(
        select(Channel).where(
            col(Channel.platform) == item.platform,
            col(Channel.platform_account_id) == item.account_id,
        )
    )
    return list(rows.scalars())


async def _apply(session: AsyncSession, channel: Channel, item: meta.Item) -> int:
    """One item for one channel; returns the number of messages created."""
    if item.action == "unhide":
        message = (
            await session.execute(
                select(InboxMessage).where(
                    col(InboxMessage.channel_id) == channel.id,
                    col(InboxMessage.platform_message_id) == item.platform_message_id,
                )
            )
        ).scalar_one_or_none()
        if message is not None:
            message.hidden = False
            session.add(message)
        return 0
    result = await ingest(
        session,
        InboundEvent(
            channel_id=channel.id,
            kind=item.kind,
            platform_thread_id=item.platform_thread_id,
            platform_message_id=item.platform_message_id,
            author_platform_id=item.author_platform_id,
            author_handle=item.author_handle,
            author_name=item.author_name,
            text=item.text,
            sent_at=item.sent_at,
            platform_object_id=item.platform_object_id,
            direction=item.direction,
        ),
    )
    if item.action in ("remove", "hide"):
        # Stored hidden even when the `add` has not come yet (it is absorbed when it does).
        result.message.hidden = True
        session.add(result.message)
    elif not result.created and item.action == "edited" and result.message.text != item.text:
        result.message.text = item.text  # the newer wording; an `add` arriving late never wins
        session.add(result.message)
    return int(result.created)


async def process(session: AsyncSession, event_id: uuid.UUID) -> WebhookEvent | None:
    """Turn a stored delivery into inbox messages; a processed or ignored event is left alone.
    Never commits: an error rolls everything back and the worker retries."""
    event: WebhookEvent | None = (
        await session.execute(
            for_update(session, select(WebhookEvent).where(col(WebhookEvent.id) == event_id))
        )
    ).scalar_one_or_none()
    if event is None or event.status is not WebhookEventStatus.received:
        return event
    envelope = meta.parse(event.body)
    if envelope is None:
        return _finish(event, WebhookEventStatus.ignored, "Kein gültiges JSON-Envelope.", 0)
    created = 0
    unknown: set[str] = set()
    matched = False
    found = meta.items(envelope)
    for item in found:
        channels = await _channels(session, item)
        if not channels:
            unknown.add(item.account_id)
            continue
        matched = True
        for channel in channels:
            created += await _apply(session, channel, item)
    if not found:
        return _finish(event, WebhookEventStatus.ignored, "Keine Kommentare oder Nachrichten.", 0)
    if not matched:
        reason = "Unbekanntes Konto: " + ", ".join(sorted(unknown))
        log.info("webhook event %s ignored: unknown account", event.id)
        return _finish(event, WebhookEventStatus.ignored, reason, 0)
    partly = "Unbekanntes Konto: " + ", ".join(sorted(unknown)) if unknown else None
    return _finish(event, WebhookEventStatus.processed, partly, created)


def _finish(
    event: WebhookEvent, status: WebhookEventStatus, reason: str | None, created: int
) -> WebhookEvent:
    event.status = status
    event.reason = reason[:500] if reason else None
    event.processed_at = utc_now()
    event.messages_created = created
    return event


class SignatureMissing(AppError):
    status = 401
    title = "Signature missing"
    slug = "webhook-signature-missing"


class SignatureInvalid(AppError):
    status = 403
    title = "Signature invalid"
    slug = "webhook-signature-invalid"


class VerificationFailed(AppError):
    status = 403
    title = "Verification failed"
    slug = "webhook-verification-failed"


def handshake(config: MetaWebhookConfig, mode: str | None, token: str | None) -> None:
    """Meta's subscription check: ``hub.mode=subscribe`` and our verify token."""
    expected = config.verify_token.get_secret_value() if config.verify_token else None
    if (
        mode != "subscribe"
        or not expected
        or token is None
        or not hmac.compare_digest(token.encode(), expected.encode())
    ):
        log.warning("meta webhook handshake refused (mode=%s)", mode)
        raise VerificationFailed("Verifizierung abgelehnt: Modus oder Verify-Token falsch.")


async def receive_meta(
    session: AsyncSession, config: MetaWebhookConfig, body: bytes, signature: str | None
) -> bool:
    """Check the signature over the raw ``body``, then store it once (True: new)."""
    if not signature:
        log.warning("meta webhook refused: signature missing (%d bytes)", len(body))
        raise SignatureMissing("Die Signatur (X-Hub-Signature-256) fehlt.")
    secret = config.app_secret.get_secret_value() if config.app_secret else None
    if not secret or not meta.signature_valid(secret, body, signature):
        log.warning("meta webhook refused: signature invalid (%d bytes)", len(body))
        raise SignatureInvalid("Die Signatur (X-Hub-Signature-256) ist ungültig.")
    return await store(session, "meta", body, meta.parse(body))
