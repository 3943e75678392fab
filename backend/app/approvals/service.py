"""Approval requests: a post's content version walks the ordered review steps of its policy.

Opened on submit and again whenever an edit sends the post back to review (the previous
request is superseded). Each step completes after N distinct approvers holding the step's
review permission for the post's clinic; the author never decides (four-eyes, SEC-4).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.approvals.diff import snapshot_diff
from app.approvals.models import (
    REVIEW_PERMISSIONS,
    ApprovalDecision,
    ApprovalRequest,
    DecisionKind,
    RequestStatus,
    ReviewKind,
)
from app.approvals.policies import resolve
from app.approvals.schemas import (
    DecisionCreate,
    DecisionRead,
    HistoryEntry,
    QueueItem,
    RequestRead,
    ReviewDiff,
    Reviewer,
    ReviewRead,
    ReviewText,
    StepState,
)
from app.audit.service import audit_service
from app.auth.permissions import ROLE_PERMISSIONS, Permission
from app.auth.subject import AuthSubject
from app.kit.errors import Conflict, Forbidden, InvalidTransition, field_error
from app.kit.pagination import CursorParams, paginate
from app.kit.time import utc_now
from app.notifications.models import NotificationKind
from app.notifications.service import notify, users_with
from app.posts.models import Post, PostStatus
from app.posts.schemas import PostRead
from app.posts.service import post_service
from app.posts.states import transition
from app.posts.validation import tagged_link
from app.tenancy.models import Clinic
from app.users.models import User

R = RequestStatus
REVIEW_LABELS_DE = {
    ReviewKind.medical: "medizinische Prüfung",
    ReviewKind.privacy: "Datenschutzprüfung",
    ReviewKind.comms: "Prüfung durch die Kommunikationsleitung",
}


async def reviewers_of(
    session: AsyncSession, organization_id: uuid.UUID, clinic_id: uuid.UUID, permission: Permission
) -> list[User]:
    """Active users holding ``permission`` for the clinic (through the organization, the
    clinic's region or the clinic itself), by name."""
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if permission in perms]
    ids = await users_with(session, organization_id, clinic_id, roles)
    if not ids:
        return []
    statement = (
        select(User).where(col(User.id).in_(ids)).order_by(col(User.full_name), col(User.id))
    )
    return list((await session.execute(statement)).scalars())


def _authors(post: Post, request: ApprovalRequest | None) -> set[uuid.UUID]:
    """Whose content it is: the post's author and whoever submitted this version."""
    return {post.created_by_id} | ({request.submitted_by_id} if request else set())


class ApprovalService:
    # Opening and closing requests ----------------------------------------------------------
    async def snapshot(self, session: AsyncSession, post: Post) -> dict[str, Any]:
        """What the reviewers approve, as it stands: texts, every channel's effective text,
        link, media with alt texts, category and the linked ids."""
        [read] = await post_service.describe(session, [post])
        return {
            "title": read.title,
            "category": read.category.value,
            "language": read.language,
            "base_text": read.base_text,
            "link": tagged_link(read.link_url, read.utm),
            "shows_patient": read.shows_patient,
            "variants": [
                {
                    "channel_id": str(v.channel_id),
                    "channel_name": v.channel_name,
                    "platform": v.platform.value,
                    "text": v.text_override if v.text_override is not None else read.base_text,
                }
                for v in read.variants
            ],
            "media": [
                {
                    "media_id": str(m.media_id),
                    "position": m.position,
                    "filename": m.filename,
                    "alt_text": m.alt_text,
                }
                for m in read.media
            ],
            "channel_ids": [str(v.channel_id) for v in read.variants],
            "media_ids": [str(m.media_id) for m in read.media],
        }

    async def pending(self, session: AsyncSession, post: Post) -> ApprovalRequest | None:
        statement = select(ApprovalRequest).where(
            col(ApprovalRequest.post_id) == post.id, col(ApprovalRequest.status) == R.pending
        )
        request: ApprovalRequest | None = (await session.execute(statement)).scalars().first()
        return request

    async def close_pending(
        self, session: AsyncSession, post: Post, status: RequestStatus
    ) -> ApprovalRequest | None:
        """End the open request (superseded by a new version, or the post was cancelled)."""
        request = await self.pending(session, post)
        if request is not None:
            request.status = status
            request.completed_at = utc_now()
            request.current_review = None
            await session.flush()
        return request

    async def open_request(
        self, session: AsyncSession, subject: AuthSubject, post: Post
    ) -> ApprovalRequest:
        """A request for the post's current content version; any open one is superseded.
        The reviewers of the first step are notified."""
        previous = await self.close_pending(session, post, R.superseded)
        resolved = await resolve(session, post.organization_id, post.clinic_id, post.category)
        now = utc_now()
        request = ApprovalRequest(
            organization_id=post.organization_id,
            clinic_id=post.clinic_id,
            post_id=post.id,
            content_version=post.content_version,
            content_hash=post.content_hash,
            snapshot=await self.snapshot(session, post),
            steps=resolved.steps,
            policy_source=resolved.source,
            current_step=0,
            current_review=ReviewKind(resolved.steps[0]["review"]),
            step_started_at=now,
            submitted_by_id=subject.user.id,
        )
        session.add(request)
        await session.flush()
        await audit_service.record(
            session, "approval.requested", subject=subject, clinic_id=post.clinic_id,
            target_type="post", target_id=post.id,
            details={"request_id": str(request.id), "content_version": post.content_version,
                     "policy_source": resolved.source, "steps": resolved.steps,
                     "superseded_request_id": str(previous.id) if previous else None},
        )  # fmt: skip
        await self._notify_step(session, post, request)
        return request

    async def _notify_step(
        self, session: AsyncSession, post: Post, request: ApprovalRequest
    ) -> None:
        assert request.current_review is not None
        reviewers = await reviewers_of(
            session, post.organization_id, post.clinic_id, request.current_review.permission
        )
        authors = _authors(post, request)
        label = REVIEW_LABELS_DE[request.current_review]
        await notify(
            session, user_ids=[u.id for u in reviewers if u.id not in authors],
            kind=NotificationKind.review_requested, organization_id=post.organization_id,
            clinic_id=post.clinic_id, title_de="Ein Beitrag wartet auf Ihre Freigabe",
            body_de=f"Stufe {request.current_step + 1} von {len(request.steps)}: {label} "
            f"(Fassung {request.content_version}).",
            link=f"/freigaben/{post.id}", target_type="post", target_id=post.id,
        )  # fmt: skip

    # Deciding ------------------------------------------------------------------------------
    async def decide(
        self, session: AsyncSession, subject: AuthSubject, post: Post, data: DecisionCreate
    ) -> ApprovalRequest:
        request = await self.pending(session, post)
        if post.status is not PostStatus.in_review or request is None:
            raise InvalidTransition("Der Beitrag ist nicht in Prüfung.")
        if request.id != data.request_id or request.content_hash != post.content_hash:
            raise Conflict("Der Beitrag wurde inzwischen geändert; bitte die neue Fassung prüfen.")
        review = ReviewKind(request.steps[request.current_step]["review"])
        if subject.user.id in _authors(post, request):
            raise Forbidden("Niemand entscheidet über den eigenen Beitrag (Vier-Augen-Prinzip).")
        if review.permission not in subject.clinic_permissions.get(post.clinic_id, frozenset()):
            raise Forbidden(
                f"Diese Stufe braucht die {REVIEW_LABELS_DE[review]} "
                f"(Berechtigung {review.permission.value}); Ihre Rolle hat sie nicht."
            )
        comment = (data.comment or "").strip() or None
        if data.decision is not DecisionKind.approve and comment is None:
            raise field_error(
                "body.comment", "Bitte begründen: was soll geändert werden, oder warum nicht?",
                "missing",
            )  # fmt: skip
        decisions = await self._decisions(session, [request.id])
        if any(
            d.step == request.current_step and d.reviewer_id == subject.user.id for d in decisions
        ):
            raise Conflict(
                "Sie haben diese Stufe bereits freigegeben; es muss eine weitere Person freigeben."
            )
        decision = ApprovalDecision(
            request_id=request.id, post_id=post.id, step=request.current_step, review=review,
            decision=data.decision, comment=comment, reviewer_id=subject.user.id,
        )  # fmt: skip
        session.add(decision)
        await session.flush()
        step = request.current_step
        if data.decision is DecisionKind.approve:
            approvers = {d.reviewer_id for d in decisions if d.step == step} | {subject.user.id}
            if len(approvers) >= int(request.steps[step]["required_approvals"]):
                await self._advance(session, subject, post, request)
        else:
            target = (
                PostStatus.changes_requested
                if data.decision is DecisionKind.request_changes
                else PostStatus.rejected
            )
            transition(post, target)
            request.status = R(target.value)
            request.completed_at = utc_now()
            request.current_review = None
        await session.flush()
        await audit_service.record(
            session, "approval.decided", subject=subject, clinic_id=post.clinic_id,
            target_type="post", target_id=post.id,
            details={"request_id": str(request.id), "content_version": request.content_version,
                     "step": step, "review": review.value, "decision": data.decision.value,
                     "comment_length": len(comment or ""), "request_status": request.status.value,
                     "post_status": post.status.value},
        )  # fmt: skip
        if data.decision is not DecisionKind.approve:
            await audit_service.record(
                session, f"post.{post.status.value}", subject=subject, clinic_id=post.clinic_id,
                target_type="post", target_id=post.id,
                details={"status": post.status.value, "content_version": post.content_version,
                         "request_id": str(request.id)},
            )  # fmt: skip
        await self._notify_author(session, post, request, data.decision, step, review)
        return request

    async def _advance(
        self, session: AsyncSession, subject: AuthSubject, post: Post, request: ApprovalRequest
    ) -> None:
        """The current step is complete: on to the next, or the post is approved."""
        if request.current_step + 1 < len(request.steps):
            request.current_step += 1
            request.current_review = ReviewKind(request.steps[request.current_step]["review"])
            request.step_started_at = utc_now()
            await session.flush()
            await self._notify_step(session, post, request)
            return
        now = utc_now()
        transition(post, PostStatus.approved)
        post.approved_by_id = subject.user.id
        post.approved_at = now
        post.approved_hash = request.content_hash
        request.status = R.approved
        request.completed_at = now
        request.current_review = None
        await session.flush()
        await audit_service.record(
            session, "post.approved", subject=subject, clinic_id=post.clinic_id,
            target_type="post", target_id=post.id,
            details={"status": post.status.value, "content_version": post.content_version,
                     "request_id": str(request.id)},
        )  # fmt: skip

    async def _notify_author(
        self,
        session: AsyncSession,
        post: Post,
        request: ApprovalRequest,
        decision: DecisionKind,
        step: int,
        review: ReviewKind,
    ) -> None:
        what = {
            DecisionKind.approve: "freigegeben",
            DecisionKind.request_changes: "Änderungen angefordert",
            DecisionKind.reject: "abgelehnt",
        }[decision]
        title = {
            R.approved: "Ihr Beitrag ist freigegeben",
            R.changes_requested: "Änderungen an Ihrem Beitrag angefordert",
            R.rejected: "Ihr Beitrag wurde abgelehnt",
        }.get(request.status, "Eine Prüfstufe hat entschieden")
        await notify(
            session, user_ids=sorted(_authors(post, request)),
            kind=NotificationKind.review_decided, organization_id=post.organization_id,
            clinic_id=post.clinic_id, title_de=title,
            body_de=f"Stufe {step + 1} von {len(request.steps)} ({REVIEW_LABELS_DE[review]}): "
            f"{what}.",
            link=f"/beitraege/{post.id}", target_type="post", target_id=post.id,
        )  # fmt: skip

    # Reading -------------------------------------------------------------------------------
    async def _decisions(
        self, session: AsyncSession, request_ids: Iterable[uuid.UUID]
    ) -> list[ApprovalDecision]:
        statement = (
            select(ApprovalDecision)
            .where(col(ApprovalDecision.request_id).in_(list(request_ids)))
            .order_by(col(ApprovalDecision.created_at), col(ApprovalDecision.id))
        )
        return list((await session.execute(statement)).scalars())

    def _queue_statement(self, subject: AuthSubject) -> Select[Any] | None:
        by_kind = [
            and_(
                col(ApprovalRequest.current_review) == kind,
                col(ApprovalRequest.clinic_id).in_(subject.clinic_ids(permission)),
            )
            for kind, permission in REVIEW_PERMISSIONS.items()
            if subject.clinic_ids(permission)
        ]
        if not by_kind:
            return None
        me = subject.user.id
        already = exists().where(
            col(ApprovalDecision.request_id) == col(ApprovalRequest.id),
            col(ApprovalDecision.step) == col(ApprovalRequest.current_step),
            col(ApprovalDecision.reviewer_id) == me,
        )
        return (
            select(ApprovalRequest)
            .join(Post, col(Post.id) == col(ApprovalRequest.post_id))
            .where(
                col(ApprovalRequest.organization_id) == subject.organization_id,
                col(ApprovalRequest.status) == R.pending,
                col(Post.status) == PostStatus.in_review,
                col(Post.created_by_id) != me,
                col(ApprovalRequest.submitted_by_id) != me,
                or_(*by_kind),
                ~already,
            )
        )

    async def queue(
        self, session: AsyncSession, subject: AuthSubject, params: CursorParams
    ) -> tuple[list[QueueItem], str | None, int]:
        """Posts waiting for the caller's decision, longest waiting first, and their count."""
        statement = self._queue_statement(subject)
        if statement is None:
            return [], None, 0
        total = int(
            (
                await session.execute(select(func.count()).select_from(statement.subquery()))
            ).scalar_one()
        )
        rows: Sequence[ApprovalRequest]
        rows, cursor = await paginate(
            session, statement, params,
            sort=col(ApprovalRequest.step_started_at), id_column=col(ApprovalRequest.id),
        )  # fmt: skip
        posts = {
            p.id: p
            for p in (
                await session.execute(
                    select(Post).where(col(Post.id).in_([r.post_id for r in rows]))
                )
            ).scalars()
        }
        clinics = {
            c.id: c.name
            for c in (
                await session.execute(
                    select(Clinic).where(col(Clinic.id).in_({r.clinic_id for r in rows}))
                )
            ).scalars()
        }
        items = [
            QueueItem(
                request_id=r.id,
                post_id=r.post_id,
                clinic_id=r.clinic_id,
                clinic_name=clinics.get(r.clinic_id, ""),
                title=posts[r.post_id].title,
                category=posts[r.post_id].category,
                content_version=r.content_version,
                step=r.current_step,
                steps_total=len(r.steps),
                review=ReviewKind(r.steps[r.current_step]["review"]),
                waiting_since=r.step_started_at,
            )
            for r in rows
        ]
        return items, cursor, total

    async def review(self, session: AsyncSession, subject: AuthSubject, post: Post) -> ReviewRead:
        """Everything a reviewer needs on one screen."""
        requests = list(
            (
                await session.execute(
                    select(ApprovalRequest)
                    .where(col(ApprovalRequest.post_id) == post.id)
                    .order_by(col(ApprovalRequest.created_at).desc(), col(ApprovalRequest.id))
                )
            ).scalars()
        )
        decisions = await self._decisions(session, [r.id for r in requests])
        names = await self._names(session, {d.reviewer_id for d in decisions})
        by_request: dict[uuid.UUID, list[DecisionRead]] = {r.id: [] for r in requests}
        for d in decisions:
            by_request[d.request_id].append(
                DecisionRead(
                    id=d.id,
                    step=d.step,
                    review=d.review,
                    decision=d.decision,
                    comment=d.comment,
                    reviewer_id=d.reviewer_id,
                    reviewer_name=names.get(d.reviewer_id, ""),
                    decided_at=d.created_at,
                )
            )
        [read] = await post_service.describe(session, [post])
        latest = requests[0] if requests else None
        pending = latest if latest is not None and latest.status is R.pending else None
        reason, eligible = await self._who(session, subject, post, pending, decisions)
        return ReviewRead(
            post=read,
            request=self._request_read(latest, by_request[latest.id]) if latest else None,
            texts=self._texts(read),
            can_decide=reason is None,
            cannot_decide_reason=reason,
            eligible_reviewers=eligible,
            diff=await self._diff(session, subject, post, requests[1:], decisions),
            history=[
                HistoryEntry(
                    request_id=r.id,
                    content_version=r.content_version,
                    status=r.status,
                    created_at=r.created_at,
                    decisions=by_request[r.id],
                )
                for r in requests[1:]
            ],
        )

    async def _who(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        post: Post,
        request: ApprovalRequest | None,
        decisions: Sequence[ApprovalDecision],
    ) -> tuple[Any, list[Reviewer]]:
        """Whether the caller may decide now (else why not), and who may."""
        if request is None or post.status is not PostStatus.in_review:
            return "not_in_review", []
        step = request.current_step
        approved = {
            d.reviewer_id
            for d in decisions
            if d.request_id == request.id and d.step == step and d.decision is DecisionKind.approve
        }
        review = ReviewKind(request.steps[step]["review"])
        excluded = _authors(post, request) | approved
        eligible = [
            Reviewer(id=u.id, full_name=u.full_name)
            for u in await reviewers_of(
                session, post.organization_id, post.clinic_id, review.permission
            )
            if u.id not in excluded
        ]
        me = subject.user.id
        if me in _authors(post, request):
            return "author", eligible
        if review.permission not in subject.clinic_permissions.get(post.clinic_id, frozenset()):
            return "role", eligible
        if me in approved:
            return "already_approved", eligible
        return None, eligible

    def _request_read(self, request: ApprovalRequest, decisions: list[DecisionRead]) -> RequestRead:
        steps = []
        for index, step in enumerate(request.steps):
            mine = [d for d in decisions if d.step == index]
            if request.status is R.approved or index < request.current_step:
                state = "done"
            elif index == request.current_step:
                state = "current" if request.status is R.pending else "stopped"
            else:
                state = "waiting"
            steps.append(
                StepState(
                    index=index,
                    review=ReviewKind(step["review"]),
                    required_approvals=int(step["required_approvals"]),
                    approvals=len(
                        {d.reviewer_id for d in mine if d.decision is DecisionKind.approve}
                    ),
                    state=state,
                    decisions=mine,
                )
            )
        return RequestRead(
            id=request.id, status=request.status, content_version=request.content_version,
            policy_source=request.policy_source,
            current_step=request.current_step, submitted_by_id=request.submitted_by_id,
            created_at=request.created_at,
            waiting_since=request.step_started_at if request.status is R.pending else None,
            completed_at=request.completed_at, steps=steps,
        )  # fmt: skip

    def _texts(self, post: PostRead) -> list[ReviewText]:
        texts = [
            ReviewText(
                key="base",
                channel_id=None,
                channel_name=None,
                platform=None,
                text=post.base_text,
            )
        ]
        for v in post.variants:
            text = v.text_override if v.text_override is not None else post.base_text
            texts.append(
                ReviewText(
                    key=str(v.channel_id),
                    channel_id=v.channel_id,
                    channel_name=v.channel_name,
                    platform=v.platform,
                    text=text,
                )
            )
        return texts

    async def _diff(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        post: Post,
        earlier: Sequence[ApprovalRequest],
        decisions: Sequence[ApprovalDecision],
    ) -> ReviewDiff:
        """Against the last fully approved earlier version, or the last earlier version the
        caller approved a step of, whichever is newer."""
        mine = {
            d.request_id
            for d in decisions
            if d.reviewer_id == subject.user.id and d.decision is DecisionKind.approve
        }
        base: ApprovalRequest | None = None
        reason: Any = None
        for request in earlier:  # newest first
            if request.status is R.approved:
                base, reason = request, "approved"
                break
            if request.id in mine:
                base, reason = request, "your_approval"
                break
        if base is None:
            return ReviewDiff(base_request_id=None, base_version=None, base_reason=None, fields=[])
        fields = snapshot_diff(base.snapshot, await self.snapshot(session, post))
        return ReviewDiff.model_validate(
            {
                "base_request_id": base.id,
                "base_version": base.content_version,
                "base_reason": reason,
                "fields": fields,
            }
        )

    async def _names(self, session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        rows = await session.execute(
            select(col(User.id), col(User.full_name)).where(col(User.id).in_(ids))
        )
        return {row.id: row.full_name for row in rows}


approval_service = ApprovalService()
