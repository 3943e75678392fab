from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile, status
from fastapi.responses import Response

from app.auth.dependencies import ConsentsManage, PostsWrite
from app.auth.permissions import Permission
from app.consent.models import ConsentState
from app.consent.schemas import (
    ConsentCreate,
    ConsentDetail,
    ConsentPage,
    ConsentRead,
    ConsentSummary,
    ConsentSummaryPage,
    ConsentUpdate,
    WithdrawRequest,
)
from app.consent.service import DOCUMENT_MAX_BYTES, DocumentTooLarge, consent_service
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination

ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: NotFound.doc(),
    409: Conflict.doc(),
    422: Unprocessable.doc(),
}
DOCUMENT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The signed consent document (decrypted for this download).",
        "content": {
            mime: {"schema": {"type": "string", "format": "binary"}}
            for mime in ("application/pdf", "image/jpeg", "image/png")
        },
    }
}
router = APIRouter(prefix="/consents", tags=["consents"], responses=ERRORS)
StatusFilter = Annotated[
    list[ConsentState] | None,
    Query(description="One or more of valid, expiring (≤ 14 days), expired, withdrawn, upcoming."),
]


async def _one(session: DbSession, consent: Any) -> ConsentRead:
    [read] = await consent_service.describe(session, [consent])
    return read


@router.get("", response_model=ConsentPage)
async def list_consents(
    subject: ConsentsManage,
    session: DbSession,
    page: Pagination,
    status: StatusFilter = None,
    clinic: uuid.UUID | None = None,
) -> ConsentPage:
    """Consent records of the caller's clinics, newest first (`consents.manage`: privacy
    officers and admins)."""
    rows, cursor = await consent_service.search(
        session, subject, page, statuses=status or [], clinic_id=clinic
    )
    return ConsentPage(items=await consent_service.describe(session, rows), next_cursor=cursor)


@router.post(
    "", response_model=ConsentRead, status_code=status.HTTP_201_CREATED, responses=WRITE_ERRORS
)
async def create_consent(
    body: ConsentCreate, subject: ConsentsManage, session: DbSession
) -> ConsentRead:
    """Record a consent: pseudonymous label (no full name), kind, legal basis, scope (channels,
    categories, images), validity. `valid_until` must lie after `valid_from` and is required
    under HIPAA; an employee's consent needs its written document's reference (BAG)."""
    return await _one(session, await consent_service.create(session, subject, body))


@router.get("/summaries", response_model=ConsentSummaryPage)
async def list_consent_summaries(
    subject: PostsWrite,
    session: DbSession,
    page: Pagination,
    status: StatusFilter = None,
    clinic: uuid.UUID | None = None,
) -> ConsentSummaryPage:
    """What editors (`posts.write`) need to link consents to posts: label, kind, scope,
    validity and status — no legal details, signer or document."""
    rows, cursor = await consent_service.search(
        session, subject, page, statuses=status or [], clinic_id=clinic,
        permission=Permission.posts_write,
    )  # fmt: skip
    return ConsentSummaryPage(items=[consent_service.summary(c) for c in rows], next_cursor=cursor)


@router.get(
    "/summaries/{consent_id}", response_model=ConsentSummary, responses={404: NotFound.doc()}
)
async def get_consent_summary(
    consent_id: uuid.UUID, subject: PostsWrite, session: DbSession
) -> ConsentSummary:
    consent = await consent_service.get(
        session, subject, consent_id, permission=Permission.posts_write
    )
    return consent_service.summary(consent)


@router.get("/{consent_id}", response_model=ConsentDetail, responses={404: NotFound.doc()})
async def get_consent(
    consent_id: uuid.UUID, subject: ConsentsManage, session: DbSession
) -> ConsentDetail:
    """The record with its linked posts and, per publication, where its takedown stands."""
    consent = await consent_service.get(session, subject, consent_id)
    return await consent_service.detail(session, consent)


@router.patch("/{consent_id}", response_model=ConsentRead, responses=WRITE_ERRORS)
async def update_consent(
    consent_id: uuid.UUID, body: ConsentUpdate, subject: ConsentsManage, session: DbSession
) -> ConsentRead:
    """Change fields of a consent that has not ended (withdrawn or expired ones: 409)."""
    consent = await consent_service.get(session, subject, consent_id, lock=True)
    return await _one(session, await consent_service.update(session, subject, consent, body))


@router.delete("/{consent_id}", status_code=status.HTTP_204_NO_CONTENT, responses=WRITE_ERRORS)
async def delete_consent(
    consent_id: uuid.UUID, subject: ConsentsManage, session: DbSession
) -> None:
    """Delete a record entered by mistake, with its document. A consent a post relies on (or
    relied on) stays: 409 — withdraw it instead."""
    consent = await consent_service.get(session, subject, consent_id, lock=True)
    await consent_service.delete(session, subject, consent)


@router.post("/{consent_id}/withdraw", response_model=ConsentRead, responses=WRITE_ERRORS)
async def withdraw_consent(
    consent_id: uuid.UUID, body: WithdrawRequest, subject: ConsentsManage, session: DbSession
) -> ConsentRead:
    """Record the withdrawal. In the same transaction, publications of linked posts that have
    not gone out are paused and one takedown job per live publication is queued; the worker
    deletes each on its platform exactly once and marks the post `taken_down`."""
    consent = await consent_service.get(session, subject, consent_id, lock=True)
    return await _one(
        session, await consent_service.withdraw(session, subject, consent, body.reason)
    )


@router.put(
    "/{consent_id}/document",
    response_model=ConsentRead,
    responses={**WRITE_ERRORS, 413: DocumentTooLarge.doc()},
)
async def put_consent_document(
    consent_id: uuid.UUID,
    request: Request,
    subject: ConsentsManage,
    session: DbSession,
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG, at most 10 MiB.")],
) -> ConsentRead:
    """Store (or replace) the signed document, encrypted with the organization's key. The
    type is taken from the content; JPEG/PNG scans are re-encoded without metadata."""
    consent = await consent_service.get(session, subject, consent_id, lock=True)
    data = await file.read(DOCUMENT_MAX_BYTES + 1)
    await consent_service.put_document(
        session, subject, request.app.state.settings, consent,
        filename=file.filename, data=data,
    )  # fmt: skip
    return await _one(session, consent)


@router.get(
    "/{consent_id}/document",
    response_class=Response,
    responses={**DOCUMENT_RESPONSE, 404: NotFound.doc()},
)
async def get_consent_document(
    consent_id: uuid.UUID, request: Request, subject: ConsentsManage, session: DbSession
) -> Response:
    """The signed document as an attachment (`consents.manage` only; each download is
    audited)."""
    consent = await consent_service.get(session, subject, consent_id)
    document, content = await consent_service.get_document(
        session, subject, request.app.state.settings, consent
    )
    return Response(
        content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=utf-8''{quote(document.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
