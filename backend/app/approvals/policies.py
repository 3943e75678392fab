"""Approval policies: who must approve a post of a category, per organization or clinic."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.approvals.models import ApprovalPolicy, ReviewKind
from app.approvals.schemas import PolicyCreate, PolicyUpdate
from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.kit.errors import Conflict, Forbidden, NotFound, field_error
from app.kit.pagination import CursorParams, paginate
from app.posts.models import PostCategory

ORGANIZATION_SCOPE = "organization"
MEDICAL = {"review": ReviewKind.medical.value, "required_approvals": 1}
PRIVACY = {"review": ReviewKind.privacy.value, "required_approvals": 1}
COMMS = {"review": ReviewKind.comms.value, "required_approvals": 1}
DEFAULT_STEPS: dict[PostCategory, list[dict[str, Any]]] = {
    PostCategory.patient_story: [MEDICAL, PRIVACY],
    PostCategory.health_tip: [MEDICAL],
    PostCategory.aesthetic: [MEDICAL, PRIVACY],  # HWG: medical, then privacy/legal
}
"""compliance.md FEAT-5; every other category: the communications lead."""


def default_steps(category: PostCategory) -> list[dict[str, Any]]:
    return [dict(step) for step in DEFAULT_STEPS.get(category, [COMMS])]


@dataclass(frozen=True)
class Resolved:
    steps: list[dict[str, Any]]
    source: str  # clinic | organization | default
    policy_id: uuid.UUID | None


def scope_key(clinic_id: uuid.UUID | None) -> str:
    return str(clinic_id) if clinic_id else ORGANIZATION_SCOPE


async def resolve(
    session: AsyncSession,
    organization_id: uuid.UUID,
    clinic_id: uuid.UUID | None,
    category: PostCategory,
) -> Resolved:
    """Clinic policy, else organization policy, else the built-in default."""
    keys = [ORGANIZATION_SCOPE] + ([str(clinic_id)] if clinic_id else [])
    rows = {
        p.scope_key: p
        for p in (
            await session.execute(
                select(ApprovalPolicy).where(
                    col(ApprovalPolicy.organization_id) == organization_id,
                    col(ApprovalPolicy.category) == category,
                    col(ApprovalPolicy.scope_key).in_(keys),
                )
            )
        ).scalars()
    }
    for key, source in ((str(clinic_id) if clinic_id else None, "clinic"),
                        (ORGANIZATION_SCOPE, "organization")):  # fmt: skip
        policy = rows.get(key) if key else None
        if policy is not None:
            return Resolved([dict(s) for s in policy.steps], source, policy.id)
    return Resolved(default_steps(category), "default", None)


class PolicyService:
    def statement(self, subject: AuthSubject) -> Select[Any]:
        """Policies the caller may manage: their clinics' and, at organization level, the
        organization's own."""
        scope: ColumnElement[bool] = col(ApprovalPolicy.clinic_id).in_(
            subject.clinic_ids(Permission.policies_manage)
        )
        if subject.has_org(Permission.policies_manage):
            scope = or_(scope, col(ApprovalPolicy.clinic_id).is_(None))
        return select(ApprovalPolicy).where(
            col(ApprovalPolicy.organization_id) == subject.organization_id, scope
        )

    async def search(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        *,
        clinic_id: uuid.UUID | None,
        category: PostCategory | None,
    ) -> tuple[Sequence[ApprovalPolicy], str | None]:
        statement = self.statement(subject)
        if clinic_id is not None:
            statement = statement.where(col(ApprovalPolicy.clinic_id) == clinic_id)
        if category is not None:
            statement = statement.where(col(ApprovalPolicy.category) == category)
        return await paginate(
            session, statement, params,
            sort=col(ApprovalPolicy.created_at), id_column=col(ApprovalPolicy.id),
        )  # fmt: skip

    async def get(
        self, session: AsyncSession, subject: AuthSubject, policy_id: uuid.UUID
    ) -> ApprovalPolicy:
        statement = self.statement(subject).where(col(ApprovalPolicy.id) == policy_id)
        policy: ApprovalPolicy | None = (await session.execute(statement)).scalar_one_or_none()
        if policy is None:
            raise NotFound("Keine solche Freigaberegel.")
        return policy

    def _check_scope(self, subject: AuthSubject, clinic_id: uuid.UUID | None) -> None:
        if clinic_id is None:
            if not subject.has_org(Permission.policies_manage):
                raise Forbidden(
                    "Regeln für die ganze Organisation legt nur die Organisations-"
                    "Administration fest."
                )
            return
        if clinic_id not in subject.clinic_ids():
            raise field_error("body.clinic_id", "Keine solche Klinik.", "not_found")
        if clinic_id not in subject.clinic_ids(Permission.policies_manage):
            raise Forbidden("Ihre Rolle erlaubt keine Freigaberegeln für diese Klinik.")

    async def create(
        self, session: AsyncSession, subject: AuthSubject, data: PolicyCreate
    ) -> ApprovalPolicy:
        self._check_scope(subject, data.clinic_id)
        key = scope_key(data.clinic_id)
        exists = (
            await session.execute(
                select(col(ApprovalPolicy.id)).where(
                    col(ApprovalPolicy.organization_id) == subject.organization_id,
                    col(ApprovalPolicy.scope_key) == key,
                    col(ApprovalPolicy.category) == data.category,
                )
            )
        ).first()
        if exists is not None:
            raise Conflict(
                "Für diese Kategorie gibt es hier schon eine Freigaberegel; bitte diese ändern."
            )
        policy = ApprovalPolicy(
            organization_id=subject.organization_id,
            clinic_id=data.clinic_id,
            scope_key=key,
            category=data.category,
            steps=[s.model_dump(mode="json") for s in data.steps],
            updated_by_id=subject.user.id,
        )
        session.add(policy)
        await session.flush()
        await self._audit(session, subject, policy, "approval_policy.created",
                          {"steps": policy.steps})  # fmt: skip
        return policy

    async def update(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        policy: ApprovalPolicy,
        data: PolicyUpdate,
    ) -> ApprovalPolicy:
        if data.steps is None:
            return policy
        steps = [s.model_dump(mode="json") for s in data.steps]
        if steps == policy.steps:
            return policy
        before = policy.steps
        policy.steps = steps
        policy.updated_by_id = subject.user.id
        await session.flush()
        await self._audit(session, subject, policy, "approval_policy.updated",
                          {"before": before, "after": steps})  # fmt: skip
        return policy

    async def delete(
        self, session: AsyncSession, subject: AuthSubject, policy: ApprovalPolicy
    ) -> None:
        await self._audit(session, subject, policy, "approval_policy.deleted",
                          {"steps": policy.steps})  # fmt: skip
        await session.delete(policy)
        await session.flush()

    async def effective(
        self, session: AsyncSession, subject: AuthSubject, clinic_id: uuid.UUID | None
    ) -> list[tuple[PostCategory, Resolved]]:
        """The steps that apply to each category, for a clinic or (null) the organization."""
        if clinic_id is None:
            self._check_scope(subject, None)
        elif clinic_id not in subject.clinic_ids(Permission.policies_manage):
            raise NotFound("Keine solche Klinik.")
        return [
            (category, await resolve(session, subject.organization_id, clinic_id, category))
            for category in PostCategory
        ]

    async def _audit(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        policy: ApprovalPolicy,
        action: str,
        details: dict[str, Any],
    ) -> None:
        await audit_service.record(
            session, action, subject=subject, clinic_id=policy.clinic_id,
            target_type="approval_policy", target_id=policy.id,
            details={"category": policy.category.value, **details},
        )  # fmt: skip


policy_service = PolicyService()
