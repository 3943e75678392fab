"""Every module's router under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from app.approvals.router import router as approvals_router
from app.audit.router import router as audit_router
from app.auth.router import router as auth_router
from app.channels.router import router as channels_router
from app.compliance.router import post_router as post_compliance_router
from app.compliance.router import router as compliance_router
from app.consent.router import router as consents_router
from app.crisis.router import router as crisis_router
from app.inbox.router import router as inbox_router
from app.kit.errors import Unprocessable
from app.media.router import router as media_router
from app.notifications.router import router as notifications_router
from app.posts.router import router as posts_router
from app.publishing.router import router as publishing_router
from app.tenancy.router import clinics, organizations, regions
from app.users.router import assignments_router, me_router, roles_router
from app.users.router import router as users_router
from app.webhooks.router import router as webhooks_router


class Health(BaseModel):
    status: str
    database: str


health_router = APIRouter(tags=["health"])


@health_router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request) -> Health | JSONResponse:
    """Liveness and database reachability; no authentication. 503 when the database is down."""
    try:
        async with request.app.state.database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        body = Health(status="degraded", database="unavailable").model_dump()
        return JSONResponse(body, status_code=503)
    return Health(status="ok", database="ok")


api_router = APIRouter(prefix="/api/v1", responses={422: Unprocessable.doc()})
for r in (
    health_router,
    webhooks_router,  # early: platforms call it at volume, routes are matched in order
    auth_router,
    me_router,
    roles_router,
    organizations,
    regions,
    clinics,
    users_router,
    assignments_router,
    audit_router,
    channels_router,
    posts_router,
    media_router,
    publishing_router,
    crisis_router,
    notifications_router,
    compliance_router,
    post_compliance_router,
    approvals_router,
    consents_router,
    inbox_router,
):
    api_router.include_router(r)
