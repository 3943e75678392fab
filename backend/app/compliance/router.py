from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from app.audit.service import audit_service
from app.auth.dependencies import ComplianceOverride, PostsRead
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject, CurrentUser, ForbiddenRecorded, client_ip
from app.compliance.schemas import (
    CheckRequest,
    CheckResult,
    OverrideCreate,
    OverrideRead,
    PostCompliance,
    RuleList,
)
from app.compliance.service import compliance_service
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.posts.service import post_service

ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
router = APIRouter(prefix="/compliance", tags=["compliance"], responses=ERRORS)
post_router = APIRouter(prefix="/posts", tags=["compliance"], responses=ERRORS)

CHECKERS = (Permission.posts_write, Permission.inbox_work)


async def _checker(request: Request, subject: CurrentUser, session: DbSession) -> AuthSubject:
    """Writers of posts and of inbox replies may check texts (403 otherwise, audited)."""
    if any(subject.has_anywhere(permission) for permission in CHECKERS):
        return subject
    await audit_service.record(
        session, "auth.forbidden", subject=subject, ip=client_ip(request),
        details={"permission": "|".join(p.value for p in CHECKERS), "path": request.url.path},
    )  # fmt: skip
    raise ForbiddenRecorded("Your role does not allow this action.")


Checker = Annotated[AuthSubject, Depends(_checker)]


@router.post("/check", response_model=CheckResult, response_model_exclude_none=True)
async def check(body: CheckRequest, subject: Checker, session: DbSession) -> CheckResult:
    """Check a text that is not stored: the composer while typing, an inbox reply before it is
    sent, other systems. Findings carry `start`/`end` character offsets into `text` (absent for
    findings about the whole post), platform and consent findings their `channel_id`. Writes
    nothing; requires `posts.write` or `inbox.work`."""
    return await compliance_service.check(session, subject, body)


@router.get("/rules", response_model=RuleList)
async def rules(subject: CurrentUser) -> RuleList:
    """Every rule id with its severity, whether a privacy officer may override it, and a
    description in German and English."""
    return compliance_service.rules()


@post_router.get(
    "/{post_id}/compliance", response_model=PostCompliance, responses={404: NotFound.doc()}
)
async def post_compliance(
    post_id: uuid.UUID, subject: PostsRead, session: DbSession
) -> PostCompliance:
    """The stored post's findings as of now (base text, each channel's own text, images,
    consent, platform limits), with privacy officers' overrides shown to everyone."""
    post = await post_service.get(session, subject, post_id)
    return await compliance_service.check_post(session, post, stage="save")


@post_router.post(
    "/{post_id}/compliance/overrides",
    response_model=OverrideRead,
    status_code=status.HTTP_201_CREATED,
    responses={404: NotFound.doc(), 409: Conflict.doc(), 422: Unprocessable.doc()},
)
async def create_override(
    post_id: uuid.UUID, body: OverrideCreate, subject: ComplianceOverride, session: DbSession
) -> OverrideRead:
    """Let one `block` finding pass, with a written reason (privacy officers only; audited).
    The decision covers that finding's rule, place and words: editing those words raises a new
    finding, unrelated edits keep it."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    row = await compliance_service.override(session, subject, post, body)
    return compliance_service.override_read(row)


@post_router.delete(
    "/{post_id}/compliance/overrides/{override_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: NotFound.doc()},
)
async def revoke_override(
    post_id: uuid.UUID, override_id: uuid.UUID, subject: ComplianceOverride, session: DbSession
) -> Response:
    """Withdraw an override (privacy officers only; audited): the finding blocks again."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    await compliance_service.revoke(session, subject, post, override_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
