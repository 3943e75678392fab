from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from app.approvals.models import ApprovalPolicy
from app.approvals.policies import policy_service
from app.approvals.schemas import (
    DecisionCreate,
    EffectivePolicies,
    EffectivePolicy,
    PolicyCreate,
    PolicyPage,
    PolicyRead,
    PolicyUpdate,
    QueuePage,
    ReviewRead,
)
from app.approvals.service import approval_service
from app.auth.dependencies import PoliciesManage, PostsRead
from app.kit.db import DbSession
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.pagination import Pagination
from app.posts.models import PostCategory
from app.posts.service import post_service

ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: NotFound.doc(),
    409: Conflict.doc(),
    422: Unprocessable.doc(),
}
router = APIRouter(tags=["approvals"], responses=ERRORS)


def _policy(policy: ApprovalPolicy) -> PolicyRead:
    return PolicyRead.model_validate(policy)


@router.get("/approval-policies", response_model=PolicyPage, responses={422: Unprocessable.doc()})
async def list_policies(
    subject: PoliciesManage,
    session: DbSession,
    page: Pagination,
    clinic: uuid.UUID | None = None,
    category: PostCategory | None = None,
) -> PolicyPage:
    """Stored policies the caller manages (the organization's and their clinics'); requires
    `policies.manage`."""
    rows, cursor = await policy_service.search(
        session, subject, page, clinic_id=clinic, category=category
    )
    return PolicyPage(items=[_policy(p) for p in rows], next_cursor=cursor)


@router.get(
    "/approval-policies/effective",
    response_model=EffectivePolicies,
    responses={404: NotFound.doc(), 422: Unprocessable.doc()},
)
async def effective_policies(
    subject: PoliciesManage, session: DbSession, clinic: uuid.UUID | None = None
) -> EffectivePolicies:
    """The steps that apply to each category for a clinic (clinic policy > organization policy
    > built-in default), or for the organization when `clinic` is left out."""
    rows = await policy_service.effective(session, subject, clinic)
    return EffectivePolicies(
        clinic_id=clinic,
        items=[
            EffectivePolicy.model_validate(
                {
                    "category": category,
                    "steps": r.steps,
                    "source": r.source,
                    "policy_id": r.policy_id,
                }
            )
            for category, r in rows
        ],
    )


@router.post(
    "/approval-policies",
    response_model=PolicyRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
)
async def create_policy(
    body: PolicyCreate, subject: PoliciesManage, session: DbSession
) -> PolicyRead:
    """Ordered review steps for a category, for one clinic or (`clinic_id` null, organization
    admins only) the whole organization. One policy per scope and category (409)."""
    return _policy(await policy_service.create(session, subject, body))


@router.get(
    "/approval-policies/{policy_id}", response_model=PolicyRead, responses={404: NotFound.doc()}
)
async def get_policy(
    policy_id: uuid.UUID, subject: PoliciesManage, session: DbSession
) -> PolicyRead:
    return _policy(await policy_service.get(session, subject, policy_id))


@router.patch("/approval-policies/{policy_id}", response_model=PolicyRead, responses=WRITE_ERRORS)
async def update_policy(
    policy_id: uuid.UUID, body: PolicyUpdate, subject: PoliciesManage, session: DbSession
) -> PolicyRead:
    """Replace the steps. Requests already open keep the steps they started with."""
    policy = await policy_service.get(session, subject, policy_id)
    return _policy(await policy_service.update(session, subject, policy, body))


@router.delete(
    "/approval-policies/{policy_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={404: NotFound.doc()},
)
async def delete_policy(
    policy_id: uuid.UUID, subject: PoliciesManage, session: DbSession
) -> Response:
    """Back to the organization's policy or the built-in default."""
    policy = await policy_service.get(session, subject, policy_id)
    await policy_service.delete(session, subject, policy)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/approvals/queue", response_model=QueuePage, responses={422: Unprocessable.doc()})
async def approval_queue(subject: PostsRead, session: DbSession, page: Pagination) -> QueuePage:
    """Posts waiting for the caller's decision: the current step needs a review permission the
    caller holds for the post's clinic, the caller is not the author and has not approved this
    step yet. Longest waiting first; `total` counts them all (for a badge)."""
    items, cursor, total = await approval_service.queue(session, subject, page)
    return QueuePage(items=items, next_cursor=cursor, total=total)


@router.get("/posts/{post_id}/review", response_model=ReviewRead, responses={404: NotFound.doc()})
async def get_review(post_id: uuid.UUID, subject: PostsRead, session: DbSession) -> ReviewRead:
    """The post with every channel's text (findings: `GET /posts/{id}/compliance`), the review steps with
    their decisions, who may decide now and the changes since the last approved version."""
    post = await post_service.get(session, subject, post_id)
    return await approval_service.review(session, subject, post)


@router.post("/posts/{post_id}/review/decisions", response_model=ReviewRead, responses=WRITE_ERRORS)
async def decide(
    post_id: uuid.UUID, body: DecisionCreate, subject: PostsRead, session: DbSession
) -> ReviewRead:
    """Approve, request changes or reject the current step (a comment is required for the
    latter two). The author never decides (403); a reviewer needs the step's review permission
    for the post's clinic (403) and counts once per step (409); a newer version answers 409."""
    post = await post_service.get(session, subject, post_id, for_update=True)
    await approval_service.decide(session, subject, post, body)
    return await approval_service.review(session, subject, post)
