"""The inbox in the caller's scope: list, detail and the actions that need no platform call
(assign, status, tags, internal notes, escalation), and saved replies. Never commits."""

from __future__ import annotations

import string
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import ROLE_PERMISSIONS, Permission
from app.auth.subject import AuthSubject, effective_permissions
from app.channels.models import Channel
from app.inbox.models import (
    InboxMessage,
    InboxNote,
    InboxThread,
    InboxThreadTag,
    Priority,
    SavedReply,
    SlaPolicy,
    ThreadStatus,
    TriageCategory,
)
from app.inbox.schemas import (
    EscalateRequest,
    MessageRead,
    NoteRead,
    PostContext,
    RenderedReply,
    RenderRequest,
    SavedReplyCreate,
    SavedReplyUpdate,
    SlaPolicyRead,
    SlaPolicyWrite,
    StatusCounts,
    ThreadDetail,
    ThreadRead,
)
from app.inbox.sla import Policy
from app.kit.errors import Conflict, NotFound, field_error
from app.kit.pagination import CursorParams, paginate
from app.kit.schemas import apply_update
from app.kit.sql import for_update
from app.kit.time import utc_now
from app.notifications.models import NotificationKind
from app.notifications.service import notify, users_with
from app.posts.models import Post
from app.publishing.models import Publication
from app.tenancy.models import Clinic
from app.users.models import RoleAssignment, User

INBOX_ROLES = frozenset(
    r for r, perms in ROLE_PERMISSIONS.items() if Permission.inbox_read in perms
)
"""Roles a thread can be escalated to: those that can open it."""
EARLIER_LIMIT = 20


@dataclass
class ThreadFilters:
    clinic_id: uuid.UUID | None = None
    channel_id: uuid.UUID | None = None
    statuses: list[ThreadStatus] = field(default_factory=list)
    assignee_id: uuid.UUID | None = None
    priorities: list[Priority] = field(default_factory=list)
    categories: list[TriageCategory] = field(default_factory=list)
    tag: str | None = None
    q: str | None = None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def scope_condition(
    subject: AuthSubject, permission: Permission, clinic_column: Any
) -> ColumnElement[bool]:
    """Rows of the subject's clinics (with ``permission``); organization-wide rows (no clinic)
    only for holders of the permission at organization level."""
    condition: ColumnElement[bool] = clinic_column.in_(subject.clinic_ids(permission))
    if subject.has_org(permission):
        condition = or_(condition, clinic_column.is_(None))
    return condition


class InboxService:
    # Scope ---------------------------------------------------------------------------------
    def statement(
        self, subject: AuthSubject, permission: Permission = Permission.inbox_read
    ) -> Select[Any]:
        return select(InboxThread).where(
            col(InboxThread.organization_id) == subject.organization_id,
            scope_condition(subject, permission, col(InboxThread.clinic_id)),
        )

    async def get(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        thread_id: uuid.UUID,
        *,
        permission: Permission = Permission.inbox_read,
        lock: bool = False,
    ) -> InboxThread:
        statement = self.statement(subject, permission).where(col(InboxThread.id) == thread_id)
        if lock:
            statement = for_update(session, statement)
        thread: InboxThread | None = (await session.execute(statement)).scalar_one_or_none()
        if thread is None:
            raise NotFound("Diesen Thread gibt es nicht (oder er liegt außerhalb Ihrer Kliniken).")
        return thread

    # List ----------------------------------------------------------------------------------
    def _filtered(self, subject: AuthSubject, f: ThreadFilters, *, status: bool) -> Select[Any]:
        statement = self.statement(subject)
        T = InboxThread
        if f.clinic_id is not None:
            statement = statement.where(col(T.clinic_id) == f.clinic_id)
        if f.channel_id is not None:
            statement = statement.where(col(T.channel_id) == f.channel_id)
        if status and f.statuses:
            statement = statement.where(col(T.status).in_(f.statuses))
        if f.assignee_id is not None:
            statement = statement.where(col(T.assignee_id) == f.assignee_id)
        if f.priorities:
            statement = statement.where(col(T.priority).in_(f.priorities))
        if f.categories:
            statement = statement.where(col(T.triage_category).in_(f.categories))
        if f.tag:
            statement = statement.where(
                exists().where(
                    col(InboxThreadTag.thread_id) == col(T.id),
                    col(InboxThreadTag.tag) == f.tag.lower(),
                )
            )
        if f.q:
            pattern = _like(f.q)
            in_messages = exists().where(
                col(InboxMessage.thread_id) == col(T.id),
                func.lower(col(InboxMessage.text)).like(pattern, escape="\\"),
            )
            statement = statement.where(
                or_(
                    in_messages,
                    func.lower(col(T.author_handle)).like(pattern, escape="\\"),
                    func.lower(col(T.author_name)).like(pattern, escape="\\"),
                )
            )
        return statement

    async def search(
        self, session: AsyncSession, subject: AuthSubject, params: CursorParams, f: ThreadFilters
    ) -> tuple[Sequence[InboxThread], str | None]:
        """Most urgent first: emergency, then priority, then the earliest due time."""
        return await paginate(
            session, self._filtered(subject, f, status=True), params,
            sort=col(InboxThread.urgency_key), id_column=col(InboxThread.id),
        )  # fmt: skip

    async def counts(
        self, session: AsyncSession, subject: AuthSubject, f: ThreadFilters
    ) -> StatusCounts:
        inner = self._filtered(subject, f, status=False).subquery()
        rows = await session.execute(select(inner.c.status, func.count()).group_by(inner.c.status))
        return StatusCounts(**{str(status): int(n) for status, n in rows.all()})

    async def describe(
        self, session: AsyncSession, threads: Sequence[InboxThread]
    ) -> list[ThreadRead]:
        ids = [t.id for t in threads]
        tags: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
        if ids:
            rows = await session.execute(
                select(col(InboxThreadTag.thread_id), col(InboxThreadTag.tag))
                .where(col(InboxThreadTag.thread_id).in_(ids))
                .order_by(col(InboxThreadTag.tag))
            )
            for thread_id, tag in rows.all():
                tags[thread_id].append(tag)
        return [
            ThreadRead.model_validate(t).model_copy(update={"tags": tags[t.id]}) for t in threads
        ]

    # Detail --------------------------------------------------------------------------------
    async def detail(
        self, session: AsyncSession, subject: AuthSubject, thread: InboxThread
    ) -> ThreadDetail:
        messages = (
            await session.execute(
                select(InboxMessage)
                .where(col(InboxMessage.thread_id) == thread.id)
                .order_by(col(InboxMessage.sent_at), col(InboxMessage.id))
            )
        ).scalars()
        notes = (
            await session.execute(
                select(InboxNote)
                .where(col(InboxNote.thread_id) == thread.id)
                .order_by(col(InboxNote.created_at), col(InboxNote.id))
            )
        ).scalars()
        post = None
        if thread.post_id is not None:
            row = await session.get(Post, thread.post_id)
            publication = (
                await session.get(Publication, thread.publication_id)
                if thread.publication_id
                else None
            )
            if row is not None:
                post = PostContext(
                    id=row.id, title=row.title, publication_id=thread.publication_id,
                    platform_url=publication.platform_url if publication else None,
                )  # fmt: skip
        channel = await session.get(Channel, thread.channel_id)
        same_platform = select(col(Channel.id)).where(
            col(Channel.organization_id) == thread.organization_id,
            col(Channel.platform) == (channel.platform if channel else None),
        )
        earlier = (
            await session.execute(
                self.statement(subject)
                .where(
                    col(InboxThread.author_platform_id) == thread.author_platform_id,
                    col(InboxThread.channel_id).in_(same_platform),
                    col(InboxThread.id) != thread.id,
                    col(InboxThread.created_at) <= thread.created_at,
                )
                .order_by(col(InboxThread.last_message_at).desc())
                .limit(EARLIER_LIMIT)
            )
        ).scalars()
        [read] = await self.describe(session, [thread])
        return ThreadDetail(
            **read.model_dump(),
            messages=[MessageRead.model_validate(m) for m in messages],
            notes=[NoteRead.model_validate(n) for n in notes],
            post=post,
            earlier_threads=await self.describe(session, list(earlier)),
        )

    # Actions -------------------------------------------------------------------------------
    async def _audit(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        action: str,
        thread: InboxThread,
        details: dict[str, Any] | None = None,
    ) -> None:
        await audit_service.record(
            session, action, subject=subject, clinic_id=thread.clinic_id,
            target_type="inbox_thread", target_id=thread.id, details=details,
        )  # fmt: skip

    async def _can_work(self, session: AsyncSession, user: User, thread: InboxThread) -> bool:
        assignments = (
            await session.execute(
                select(RoleAssignment).where(col(RoleAssignment.user_id) == user.id)
            )
        ).scalars()
        clinics = []
        if thread.clinic_id is not None:
            clinic = await session.get(Clinic, thread.clinic_id)
            clinics = [clinic] if clinic is not None and clinic.is_active else []
        org, per_clinic = effective_permissions(assignments, clinics)
        perms = org if thread.clinic_id is None else per_clinic.get(thread.clinic_id, frozenset())
        return Permission.inbox_work in perms

    async def assign(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        thread: InboxThread,
        assignee_id: uuid.UUID | None,
    ) -> InboxThread:
        if assignee_id is not None:
            user = await session.get(User, assignee_id)
            if (
                user is None
                or user.organization_id != subject.organization_id
                or not user.is_active
                or not await self._can_work(session, user, thread)
            ):
                raise field_error(
                    "body.assignee_id",
                    "Diese Person kann den Posteingang dieser Klinik nicht bearbeiten.",
                )
        before = thread.assignee_id
        if before != assignee_id:
            thread.assignee_id = assignee_id
            session.add(thread)
            await session.flush()
            await self._audit(
                session, subject, "inbox.thread_assigned", thread,
                {"before": str(before) if before else None,
                 "after": str(assignee_id) if assignee_id else None},
            )  # fmt: skip
        return thread

    async def set_status(
        self, session: AsyncSession, subject: AuthSubject, thread: InboxThread, status: ThreadStatus
    ) -> InboxThread:
        before = thread.status
        if before != status:
            thread.status = status
            session.add(thread)
            await session.flush()
            await self._audit(
                session, subject, "inbox.thread_status_changed", thread,
                {"before": before.value, "after": status.value},
            )  # fmt: skip
        return thread

    async def tag(
        self, session: AsyncSession, subject: AuthSubject, thread: InboxThread, tag: str
    ) -> InboxThread:
        present = (
            await session.execute(
                select(InboxThreadTag).where(
                    col(InboxThreadTag.thread_id) == thread.id, col(InboxThreadTag.tag) == tag
                )
            )
        ).scalar_one_or_none()
        if present is None:
            session.add(InboxThreadTag(thread_id=thread.id, tag=tag))
            try:
                async with session.begin_nested():
                    await session.flush()
            except IntegrityError as exc:  # a concurrent request tagged it first
                raise Conflict("Der Thread trägt dieses Schlagwort schon.") from exc
            await self._audit(session, subject, "inbox.thread_tagged", thread, {"tag": tag})
        return thread

    async def untag(
        self, session: AsyncSession, subject: AuthSubject, thread: InboxThread, tag: str
    ) -> InboxThread:
        result = await session.execute(
            delete(InboxThreadTag).where(
                col(InboxThreadTag.thread_id) == thread.id, col(InboxThreadTag.tag) == tag.lower()
            )
        )
        if not getattr(result, "rowcount", 0):
            raise NotFound("Der Thread trägt dieses Schlagwort nicht.")
        await self._audit(session, subject, "inbox.thread_untagged", thread, {"tag": tag.lower()})
        return thread

    async def add_note(
        self, session: AsyncSession, subject: AuthSubject, thread: InboxThread, text: str
    ) -> InboxNote:
        note = InboxNote(thread_id=thread.id, author_id=subject.user.id, text=text)
        session.add(note)
        await session.flush()
        await self._audit(session, subject, "inbox.note_added", thread, {"note_id": str(note.id)})
        return note

    async def escalate(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        thread: InboxThread,
        data: EscalateRequest,
    ) -> InboxThread:
        """Tell everyone holding the role for the clinic (in-app notification without message
        content); the reason is kept as an internal note on the thread."""
        if data.role not in INBOX_ROLES:
            raise field_error(
                "body.role",
                "An diese Rolle kann nicht eskaliert werden: sie sieht keinen Posteingang.",
            )
        recipients = await users_with(
            session, thread.organization_id, thread.clinic_id, [data.role]
        )
        if not recipients:
            raise field_error("body.role", "Niemand hat diese Rolle für die Klinik.")
        thread.escalated_role = data.role.value
        thread.escalated_at = utc_now()
        session.add(thread)
        note = InboxNote(
            thread_id=thread.id, author_id=subject.user.id,
            text=f"Eskaliert an {data.role.value}: {data.reason}",
        )  # fmt: skip
        session.add(note)
        await session.flush()
        await notify(
            session, user_ids=recipients, kind=NotificationKind.inbox_escalated,
            organization_id=thread.organization_id, clinic_id=thread.clinic_id,
            title_de="Eskalation im Posteingang",
            body_de=f"Ein Thread ({thread.triage_category.value}) wurde an Sie eskaliert.",
            link=f"/posteingang/{thread.id}", target_type="inbox_thread", target_id=thread.id,
        )  # fmt: skip
        await self._audit(
            session, subject, "inbox.thread_escalated", thread,
            {"role": data.role.value, "recipients": len(recipients), "note_id": str(note.id)},
        )  # fmt: skip
        return thread


class SavedReplyService:
    def statement(
        self, subject: AuthSubject, permission: Permission = Permission.saved_replies_use
    ) -> Select[Any]:
        """The organization's replies plus those of the subject's clinics."""
        clinic = col(SavedReply.clinic_id)
        return select(SavedReply).where(
            col(SavedReply.organization_id) == subject.organization_id,
            or_(clinic.is_(None), clinic.in_(subject.clinic_ids(permission))),
        )

    async def search(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        *,
        language: str | None,
        category: TriageCategory | None,
        clinic_id: uuid.UUID | None,
    ) -> tuple[Sequence[SavedReply], str | None]:
        statement = self.statement(subject)
        if language:
            statement = statement.where(col(SavedReply.language) == language)
        if category:
            statement = statement.where(col(SavedReply.category) == category)
        if clinic_id:
            statement = statement.where(
                or_(col(SavedReply.clinic_id) == clinic_id, col(SavedReply.clinic_id).is_(None))
            )
        return await paginate(
            session, statement, params, sort=col(SavedReply.title), id_column=col(SavedReply.id)
        )

    async def get(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        reply_id: uuid.UUID,
        *,
        permission: Permission = Permission.saved_replies_use,
    ) -> SavedReply:
        reply: SavedReply | None = (
            await session.execute(
                self.statement(subject, permission).where(col(SavedReply.id) == reply_id)
            )
        ).scalar_one_or_none()
        if reply is None:
            raise NotFound("Diese Antwortvorlage gibt es nicht.")
        return reply

    async def get_managed(
        self, session: AsyncSession, subject: AuthSubject, reply_id: uuid.UUID
    ) -> SavedReply:
        """A reply the subject may change: of a clinic where they manage saved replies, or an
        organization-wide one when they manage them at organization level."""
        reply = await self.get(
            session, subject, reply_id, permission=Permission.saved_replies_manage
        )
        if reply.clinic_id is None and not subject.has_org(Permission.saved_replies_manage):
            raise NotFound("Diese Antwortvorlage gibt es nicht.")
        return reply

    async def create(
        self, session: AsyncSession, subject: AuthSubject, data: SavedReplyCreate
    ) -> SavedReply:
        manage = Permission.saved_replies_manage
        if data.clinic_id is None and not subject.has_org(manage):
            raise field_error(
                "body.clinic_id", "Vorlagen für die ganze Organisation brauchen eine Klinik-"
                "übergreifende Rolle; bitte eine Klinik wählen.",
            )  # fmt: skip
        if data.clinic_id is not None and data.clinic_id not in subject.clinic_ids(manage):
            raise field_error("body.clinic_id", "Keine solche Klinik in Ihrem Bereich.")
        reply = SavedReply(
            organization_id=subject.organization_id, created_by_id=subject.user.id,
            **data.model_dump(),
        )  # fmt: skip
        session.add(reply)
        await session.flush()
        await audit_service.record(
            session, "saved_reply.created", subject=subject, clinic_id=reply.clinic_id,
            target_type="saved_reply", target_id=reply.id,
        )  # fmt: skip
        return reply

    async def update(
        self, session: AsyncSession, subject: AuthSubject, reply: SavedReply, data: SavedReplyUpdate
    ) -> SavedReply:
        changes = apply_update(reply, data)
        if changes:
            session.add(reply)
            await session.flush()
            await audit_service.record(
                session, "saved_reply.updated", subject=subject, clinic_id=reply.clinic_id,
                target_type="saved_reply", target_id=reply.id,
                details={"fields": sorted(changes)},
            )  # fmt: skip
        return reply

    async def delete(self, session: AsyncSession, subject: AuthSubject, reply: SavedReply) -> None:
        await session.delete(reply)
        await session.flush()
        await audit_service.record(
            session, "saved_reply.deleted", subject=subject, clinic_id=reply.clinic_id,
            target_type="saved_reply", target_id=reply.id,
        )  # fmt: skip

    async def render(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        reply: SavedReply,
        data: RenderRequest,
    ) -> RenderedReply:
        """Fill the variables (from the thread, then the given values) and count the use."""
        values: dict[str, str] = {}
        if data.thread_id is not None:
            thread = await inbox_service.get(session, subject, data.thread_id)
            name = (thread.author_name or "").strip()
            if name:
                values |= {"name": name, "vorname": name.split()[0]}
                if len(name.split()) > 1:
                    values["nachname"] = name.split()[-1]
            if thread.author_handle:
                values["handle"] = thread.author_handle
            if thread.clinic_id is not None:
                clinic = await session.get(Clinic, thread.clinic_id)
                if clinic is not None:
                    values["klinik"] = clinic.name
        values |= data.variables
        missing: list[str] = []
        parts: list[str] = []
        for literal, variable, _spec, _conv in string.Formatter().parse(reply.text):
            parts.append(literal)
            if variable is None:
                continue
            if variable in values:
                parts.append(values[variable])
            else:
                missing.append(variable)
                parts.append("{" + variable + "}")
        await session.execute(
            update(SavedReply)
            .where(col(SavedReply.id) == reply.id)
            .values(usage_count=col(SavedReply.usage_count) + 1)
        )
        return RenderedReply(text="".join(parts), missing=sorted(set(missing)))


class SlaPolicyService:
    async def _clinic(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        clinic_id: uuid.UUID,
        permission: Permission,
    ) -> Clinic:
        clinic = await session.get(Clinic, clinic_id)
        if (
            clinic is None
            or clinic.organization_id != subject.organization_id
            or clinic_id not in subject.clinic_ids(permission)
        ):
            raise NotFound("Diese Klinik gibt es nicht (oder sie liegt außerhalb Ihres Bereichs).")
        return clinic

    async def _row(self, session: AsyncSession, clinic_id: uuid.UUID) -> SlaPolicy | None:
        row: SlaPolicy | None = (
            await session.execute(
                for_update(session, select(SlaPolicy).where(col(SlaPolicy.clinic_id) == clinic_id))
            )
        ).scalar_one_or_none()
        return row

    def _read(self, clinic: Clinic, row: SlaPolicy | None) -> SlaPolicyRead:
        policy = Policy.of(row, clinic.timezone)
        return SlaPolicyRead(
            clinic_id=clinic.id, timezone=policy.timezone,
            office_targets=dict(policy.office_targets),
            on_call_targets=dict(policy.on_call_targets),
            office_hours={day: list(span) for day, span in policy.office_hours.items()},
            is_default=row is None,
        )  # fmt: skip

    async def get(
        self, session: AsyncSession, subject: AuthSubject, clinic_id: uuid.UUID
    ) -> SlaPolicyRead:
        clinic = await self._clinic(session, subject, clinic_id, Permission.inbox_read)
        return self._read(clinic, await self._row(session, clinic_id))

    async def put(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        clinic_id: uuid.UUID,
        data: SlaPolicyWrite,
    ) -> SlaPolicyRead:
        """Store the clinic's policy; it applies to messages arriving from now on."""
        clinic = await self._clinic(session, subject, clinic_id, Permission.policies_manage)
        row = await self._row(session, clinic_id)
        values: dict[str, Any] = {
            "office_targets": data.office_targets.model_dump(),
            "on_call_targets": data.on_call_targets.model_dump(),
            "office_hours": {day: list(span) for day, span in sorted(data.office_hours.items())},
        }
        if row is None:
            row = SlaPolicy(organization_id=clinic.organization_id, clinic_id=clinic.id, **values)
        else:
            for key, value in values.items():
                setattr(row, key, value)
        session.add(row)
        try:
            async with session.begin_nested():
                await session.flush()
        except IntegrityError as exc:  # another request created it first
            raise Conflict("Die Richtlinie wurde gerade geändert; bitte neu laden.") from exc
        await audit_service.record(
            session, "inbox.sla_policy_updated", subject=subject, clinic_id=clinic.id,
            target_type="inbox_sla_policy", target_id=row.id, details=values,
        )  # fmt: skip
        return self._read(clinic, row)


inbox_service = InboxService()
saved_reply_service = SavedReplyService()
sla_policy_service = SlaPolicyService()
