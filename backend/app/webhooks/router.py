"""Public webhook endpoints: platforms call these, authenticated by their signature."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from app.kit.db import DbSession
from app.webhooks import service
from app.webhooks.settings import MetaWebhookConfig, meta_webhook_config

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

MetaConfig = Annotated[MetaWebhookConfig, Depends(meta_webhook_config)]


class WebhookAccepted(BaseModel):
    stored: bool
    """False when the delivery was stored before (a platform retry or duplicate)."""


@router.get(
    "/meta",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {}}, "description": "The challenge, echoed."},
        403: service.VerificationFailed.doc(),
    },
)
async def meta_handshake(
    config: MetaConfig,
    mode: Annotated[str | None, Query(alias="hub.mode", max_length=32)] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=200)] = None,
    verify_token: Annotated[str | None, Query(alias="hub.verify_token", max_length=200)] = None,
) -> PlainTextResponse:
    """Meta's subscription handshake: echoes ``hub.challenge`` as text when ``hub.mode`` is
    ``subscribe`` and ``hub.verify_token`` is the configured token; otherwise 403."""
    service.handshake(config, mode, verify_token)
    return PlainTextResponse(challenge or "")


@router.post(
    "/meta",
    response_model=WebhookAccepted,
    responses={
        401: service.SignatureMissing.doc(),
        403: service.SignatureInvalid.doc(),
    },
)
async def meta_delivery(
    request: Request,
    session: DbSession,
    config: MetaConfig,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> WebhookAccepted:
    """A signed Meta notification (``page``, ``instagram``): the signature is checked over the
    raw body, the body stored once (retries are absorbed) and processed by the worker."""
    body = await request.body()
    return WebhookAccepted(stored=await service.receive_meta(session, config, body, signature))
