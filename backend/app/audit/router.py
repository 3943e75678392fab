from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from app.audit.schemas import AuditEventPage, AuditEventRead, AuditVerification
from app.audit.service import AuditFilters, audit_service
from app.auth.dependencies import AuditRead
from app.auth.subject import client_ip
from app.kit.db import DbSession
from app.kit.errors import Forbidden, Unauthorized, Unprocessable, field_error
from app.kit.pagination import Pagination

router = APIRouter(
    prefix="/audit-events",
    tags=["audit"],
    responses={401: Unauthorized.doc(), 403: Forbidden.doc(), 422: Unprocessable.doc()},
)


def _filters(
    action: Annotated[
        str | None, Query(max_length=64, description="e.g. `auth.login_failed`")
    ] = None,
    actor_id: uuid.UUID | None = None,
    target_type: Annotated[str | None, Query(max_length=64)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    clinic_id: uuid.UUID | None = None,
    from_: Annotated[
        datetime | None, Query(alias="from", description="Inclusive, ISO 8601 with offset.")
    ] = None,
    to: Annotated[datetime | None, Query(description="Exclusive, ISO 8601 with offset.")] = None,
) -> AuditFilters:
    for name, value in (("from", from_), ("to", to)):
        if value is not None and value.tzinfo is None:
            raise field_error(
                f"query.{name}", "Give a time zone offset, e.g. 2026-11-24T09:00:00+01:00."
            )
    if from_ and to and from_ >= to:
        raise field_error("query.to", "`to` must be after `from`.")
    return AuditFilters(action, actor_id, target_type, target_id, clinic_id, from_, to)


Filters = Annotated[AuditFilters, Depends(_filters)]


@router.get("", response_model=AuditEventPage)
async def list_audit_events(
    subject: AuditRead, session: DbSession, page: Pagination, filters: Filters
) -> AuditEventPage:
    """The append-only audit log, newest first. Readable by admins and privacy officers."""
    rows, names, cursor = await audit_service.list(session, subject, filters, page)
    items = [
        AuditEventRead.model_validate(
            {**e.model_dump(), "actor_name": names.get(e.actor_id) if e.actor_id else None}
        )
        for e in rows
    ]
    return AuditEventPage(items=items, next_cursor=cursor)


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}
    },
)
async def export_audit_events(
    request: Request, subject: AuditRead, session: DbSession, filters: Filters
) -> StreamingResponse:
    """Every matching event as CSV (same filters as the list). The export itself is audited."""
    await audit_service.record(
        session, "audit.exported", subject=subject, ip=client_ip(request),
        details={"filters": {k: str(v) for k, v in vars(filters).items() if v is not None}},
    )  # fmt: skip
    database = request.app.state.database

    async def rows() -> AsyncIterator[str]:
        async with database.session_scope() as stream_session:
            async for chunk in audit_service.export_csv(stream_session, subject, filters):
                yield chunk

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


@router.get("/verify", response_model=AuditVerification)
async def verify_audit_chain(subject: AuditRead, session: DbSession) -> AuditVerification:
    """Recompute the hash chain; `first_broken_id` names the first altered or missing link."""
    result = await audit_service.verify(session)
    return AuditVerification(
        ok=result.ok, checked=result.checked, first_broken_id=result.first_broken_id
    )
