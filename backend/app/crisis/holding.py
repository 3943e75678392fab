"""Holding statements ("dark site", FEAT-6): crisis posts prepared and approved in advance, kept
unscheduled, and published by a comms lead during a crisis in one action.

Publishing one means scheduling it at *now* through the normal planning and worker path; its
publications carry ``crisis_release_id``, the one marker the publisher's crisis check
(``app.crisis.scope.CrisisCheck``) lets through. Everything else in scope stays paused.
Holding *replies* (saved replies for the inbox) come with the inbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.channels.models import Channel, ChannelStatus
from app.compliance.service import compliance_service
from app.crisis.models import CrisisMode
from app.crisis.schemas import HoldingChannel, HoldingStatementRead
from app.crisis.scope import active_crisis_for
from app.kit.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from app.kit.pagination import CursorParams, paginate
from app.kit.time import utc_now
from app.posts.models import Post, PostCategory, PostStatus, PostVariant
from app.posts.service import post_service
from app.posts.states import EDITABLE, LABELS_DE, transition
from app.publishing.models import Publication
from app.publishing.planning import plan_publications
from app.publishing.router import publication_read
from app.tenancy.models import Clinic

_NOT_CONNECTED = frozenset({"channel_not_connected", "no_channels"})


class HoldingStatementService:
    def statement(self, subject: AuthSubject) -> Select[Any]:
        """The dark-site set in the subject's clinics (withdrawn posts are no longer in it)."""
        return select(Post).where(
            col(Post.organization_id) == subject.organization_id,
            col(Post.clinic_id).in_(subject.clinic_ids(Permission.posts_read)),
            col(Post.holding_statement).is_(True),
            col(Post.category) == PostCategory.crisis,
            col(Post.status).not_in([PostStatus.cancelled, PostStatus.rejected]),
        )

    async def search(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        clinic_id: uuid.UUID | None,
    ) -> tuple[list[HoldingStatementRead], str | None]:
        statement = self.statement(subject)
        if clinic_id is not None:
            statement = statement.where(col(Post.clinic_id) == clinic_id)
        rows, cursor = await paginate(
            session, statement, params, sort=col(Post.created_at), id_column=col(Post.id)
        )
        return await self.describe(session, rows), cursor

    async def describe(
        self, session: AsyncSession, posts: Sequence[Post]
    ) -> list[HoldingStatementRead]:
        ids = [p.id for p in posts]
        clinics = {
            c.id: c
            for c in (
                await session.execute(
                    select(Clinic).where(col(Clinic.id).in_({p.clinic_id for p in posts}))
                )
            ).scalars()
        }
        channels: dict[uuid.UUID, list[HoldingChannel]] = {pid: [] for pid in ids}
        for variant, channel in (
            await session.execute(
                select(PostVariant, Channel)
                .join(Channel, col(Channel.id) == col(PostVariant.channel_id))
                .where(col(PostVariant.post_id).in_(ids))
                .order_by(col(PostVariant.created_at), col(PostVariant.channel_id))
            )
        ).all():
            channels[variant.post_id].append(
                HoldingChannel(
                    channel_id=channel.id,
                    channel_name=channel.display_name,
                    platform=channel.platform,
                    connected=channel.status is ChannelStatus.connected,
                )
            )
        publications: dict[uuid.UUID, list[Any]] = {pid: [] for pid in ids}
        for publication, channel in (
            await session.execute(
                select(Publication, Channel)
                .join(Channel, col(Channel.id) == col(Publication.channel_id))
                .where(col(Publication.post_id).in_(ids))
                .order_by(col(Publication.created_at), col(Publication.channel_id))
            )
        ).all():
            publications[publication.post_id].append(publication_read(publication, channel))
        crisis: dict[uuid.UUID, bool] = {}
        for post in posts:
            if post.clinic_id not in crisis:
                found = await active_crisis_for(session, post.organization_id, post.clinic_id)
                crisis[post.clinic_id] = found is not None
        result = []
        for post in posts:
            approved, connected, compliant, problems = await self._readiness(session, post)
            if not crisis[post.clinic_id]:
                problems.append("Für diese Klinik ist kein Krisenmodus aktiv.")
            result.append(
                HoldingStatementRead(
                    id=post.id,
                    clinic_id=post.clinic_id,
                    clinic_name=clinics[post.clinic_id].name,
                    title=post.title,
                    language=post.language,
                    base_text=post.base_text,
                    status=post.status,
                    updated_at=post.updated_at,
                    approved=approved,
                    channels_connected=connected,
                    compliance_ok=compliant,
                    crisis_active=crisis[post.clinic_id],
                    ready=approved and connected and compliant and crisis[post.clinic_id],
                    problems=problems,
                    channels=channels[post.id],
                    publications=publications[post.id],
                )
            )
        return result

    async def _readiness(
        self, session: AsyncSession, post: Post
    ) -> tuple[bool, bool, bool, list[str]]:
        """(approved, channels connected, compliance ok, problems in German)."""
        problems: list[str] = []
        approved = post.status is PostStatus.approved and post.approved_hash == post.content_hash
        if post.status is not PostStatus.approved:
            problems.append(f"Status „{LABELS_DE[post.status]}“: nur freigegebene, noch nicht "
                            "eingeplante Statements können veröffentlicht werden.")  # fmt: skip
        elif not approved:
            problems.append("Die Freigabe gilt nicht für die aktuelle Fassung.")
        # The platform rules the submit step applies (with channel connection) …
        errors = await post_service._validate_targets(session, post)
        connected = not any(e.type in _NOT_CONNECTED for e in errors)
        compliant = all(e.type in _NOT_CONNECTED for e in errors)
        problems += [e.message for e in errors]
        # … and the compliance checker's blocks nobody overrode (texts, alt texts, consent).
        check = await compliance_service.check_post(session, post, stage="publish")
        for finding in check.findings:
            if finding.severity == "block" and finding.overridden is None:
                problems.append(finding.message)
                compliant = False
        return approved, connected, compliant, problems

    async def publish(
        self, session: AsyncSession, subject: AuthSubject, post_ids: list[uuid.UUID]
    ) -> list[Post]:
        """Schedule the selected holding statements at now, released from the crisis pause.

        All or nothing: a post outside the caller's clinics is 404, one without
        ``crisis.manage`` in its clinic 403, one without an active crisis 409, one that is not
        a ready holding statement 422 (each listed)."""
        ids = list(dict.fromkeys(post_ids))
        posts = {
            p.id: p
            for p in (
                await session.execute(
                    post_service.statement(subject).where(col(Post.id).in_(ids)).with_for_update()
                )
            ).scalars()
        }
        if len(posts) != len(ids):
            raise NotFound("No such post.")
        ordered = [posts[i] for i in ids]
        if any(p.clinic_id not in subject.clinic_ids(Permission.crisis_manage) for p in ordered):
            raise Forbidden("Your role does not allow publishing holding statements here.")
        crises: dict[uuid.UUID, CrisisMode] = {}
        for post in ordered:
            found = await active_crisis_for(session, post.organization_id, post.clinic_id)
            if found is None:
                clinic = await session.get(Clinic, post.clinic_id)
                name = clinic.name if clinic else "diese Klinik"
                raise Conflict(
                    f"Für „{name}“ ist kein Krisenmodus aktiv: Dark-Site-Statements werden nur "
                    "während einer Krise sofort veröffentlicht; sonst bitte normal einplanen."
                )
            crises[post.id] = found
        errors: list[FieldError] = []
        for index, post in enumerate(ordered):
            field = f"body.post_ids.{index}"
            if not post.holding_statement or post.category is not PostCategory.crisis:
                errors.append(FieldError(field=field, type="not_holding_statement",
                    message=f"„{post.title}“ ist kein Dark-Site-Statement (Kategorie Krise)."))  # fmt: skip
                continue
            approved, connected, compliant, problems = await self._readiness(session, post)
            if not (approved and connected and compliant):
                errors += [
                    FieldError(field=field, message=f"„{post.title}“: {p}", type="not_ready")
                    for p in problems
                ]
        if errors:
            raise Unprocessable(
                "Nicht alle Statements können veröffentlicht werden.", errors=errors
            )
        now = utc_now()
        for post in ordered:
            crisis = crises[post.id]
            post.scheduled_at = now
            transition(post, PostStatus.scheduled)
            await session.flush()
            planned = await plan_publications(session, post)
            for publication in planned:
                publication.crisis_release_id = crisis.id
                session.add(publication)
            await session.flush()
            await audit_service.record(
                session, "crisis.holding_statement_published", subject=subject,
                clinic_id=post.clinic_id, target_type="post", target_id=post.id,
                details={"crisis_id": str(crisis.id), "content_version": post.content_version,
                         "publication_ids": [str(p.id) for p in planned]},
            )  # fmt: skip
        return ordered

    async def set_flag(
        self, session: AsyncSession, subject: AuthSubject, post_id: uuid.UUID, value: bool
    ) -> Post:
        """Add a crisis post to the dark-site set or take it out (editors and comms leads).
        The flag is not content: an approval stays valid."""
        post = await post_service.get(session, subject, post_id, for_update=True)
        held = subject.clinic_permissions.get(post.clinic_id, frozenset())
        if not held & {Permission.posts_write, Permission.crisis_manage}:
            raise Forbidden("Your role does not allow changing the dark-site set here.")
        if value and post.category is not PostCategory.crisis:
            message = "Nur Beiträge der Kategorie „Krise“ können Dark-Site-Statements sein."
            raise Unprocessable(
                message,
                errors=[
                    FieldError(field="body.holding_statement", message=message, type="category")
                ],
            )
        if value and post.status not in EDITABLE:
            raise Conflict(
                f"Ein Beitrag im Status „{LABELS_DE[post.status]}“ kann nicht mehr geändert werden."
            )
        if post.holding_statement != value:
            post.holding_statement = value
            session.add(post)
            await session.flush()
            await audit_service.record(
                session, "post.holding_statement_set", subject=subject, clinic_id=post.clinic_id,
                target_type="post", target_id=post.id, details={"holding_statement": value},
            )  # fmt: skip
        return post


holding_service = HoldingStatementService()
