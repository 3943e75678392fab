"""Crisis mode (FEAT-6, REL-10): one action pauses every pending publication in a scope, in the
same transaction; ending it resumes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.crisis.models import CrisisMode
from app.crisis.schemas import CrisisCreate, PausedPublicationRead
from app.crisis.scope import clinics_in_scope
from app.kit.errors import Conflict, Forbidden, InvalidTransition, NotFound, field_error
from app.kit.pagination import CursorParams, paginate
from app.kit.sql import for_update
from app.kit.time import to_zone, utc_now
from app.posts.models import Post
from app.publishing.models import Publication, PublicationStatus
from app.publishing.publisher import CRISIS_MESSAGE
from app.publishing.router import publication_read
from app.publishing.service import publication_service, settle
from app.tenancy.models import Clinic, Region
from app.users.models import ScopeType

S = PublicationStatus


class CrisisService:
    async def _may_manage(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        scope_type: ScopeType,
        scope_id: uuid.UUID,
    ) -> bool | None:
        """None: no such scope in the subject's view; else whether they may manage a crisis
        there (organization: org-wide role; region/clinic: the role in every clinic of it)."""
        allowed = subject.clinic_ids(Permission.crisis_manage)
        allowed_all = subject.has_org(Permission.crisis_manage)
        if scope_type is ScopeType.organization:
            if scope_id != subject.organization_id:
                return None
            return allowed_all
        if scope_type is ScopeType.region:
            region = await session.get(Region, scope_id)
            if region is None or region.organization_id != subject.organization_id:
                return None
            clinic_ids = set(
                (
                    await session.execute(
                        select(col(Clinic.id)).where(
                            col(Clinic.region_id) == scope_id, col(Clinic.is_active).is_(True)
                        )
                    )
                ).scalars()
            )
            if not allowed_all and not clinic_ids & subject.clinic_ids():
                return None
            return allowed_all or (bool(clinic_ids) and clinic_ids <= allowed)
        clinic = await session.get(Clinic, scope_id)
        if clinic is None or clinic.organization_id != subject.organization_id:
            return None
        if not allowed_all and clinic.id not in subject.clinic_ids():
            return None
        return allowed_all or clinic.id in allowed

    def _in_scope(self, crisis: CrisisMode) -> Any:
        return and_(
            col(Publication.organization_id) == crisis.organization_id,
            col(Publication.clinic_id).in_(
                clinics_in_scope(crisis.organization_id, crisis.scope_type, crisis.scope_id)
            ),
        )

    async def start(
        self, session: AsyncSession, subject: AuthSubject, data: CrisisCreate
    ) -> tuple[CrisisMode, int, list[uuid.UUID]]:
        allowed = await self._may_manage(session, subject, data.scope_type, data.scope_id)
        if not allowed:
            raise field_error("body.scope_id", "No such scope within your area of responsibility.")
        existing = (
            await session.execute(
                select(col(CrisisMode.id)).where(
                    col(CrisisMode.organization_id) == subject.organization_id,
                    col(CrisisMode.scope_type) == data.scope_type,
                    col(CrisisMode.scope_id) == data.scope_id,
                    col(CrisisMode.ended_at).is_(None),
                )
            )
        ).first()
        if existing is not None:
            raise Conflict("A crisis is already active for this scope.")
        now = utc_now()
        crisis = CrisisMode(
            organization_id=subject.organization_id, scope_type=data.scope_type,
            scope_id=data.scope_id, reason=data.reason, started_by_id=subject.user.id,
            started_at=now,
        )  # fmt: skip
        # Lock the rows first (the publisher locks them in the same order), then write: no
        # publication claimed after this commit is published.
        not_started = or_(
            col(Publication.status) == S.pending,
            and_(
                col(Publication.status) == S.publishing,
                col(Publication.attempt_started_at).is_(None),
            ),
        )
        to_pause = list(
            (
                await session.execute(
                    for_update(
                        session, select(Publication).where(self._in_scope(crisis), not_started)
                    )
                )
            ).scalars()
        )
        in_flight = list(
            (
                await session.execute(
                    select(col(Publication.id)).where(
                        self._in_scope(crisis),
                        col(Publication.status) == S.publishing,
                        col(Publication.attempt_started_at).is_not(None),
                    )
                )
            ).scalars()
        )
        session.add(crisis)
        try:
            await session.flush()
        except IntegrityError as exc:  # pragma: no cover - defensive
            raise Conflict("The crisis could not be recorded.") from exc
        for publication in to_pause:
            await settle(
                session, publication, S.paused, error=CRISIS_MESSAGE, error_code="crisis",
                action="publication.paused", subject=subject,
                details={"reason": "crisis", "crisis_id": str(crisis.id)},
            )  # fmt: skip
        await audit_service.record(
            session, "crisis.started", subject=subject,
            clinic_id=crisis.scope_id if crisis.scope_type is ScopeType.clinic else None,
            target_type="crisis", target_id=crisis.id,
            details={"scope_type": crisis.scope_type.value, "scope_id": str(crisis.scope_id),
                     "paused": len(to_pause), "in_flight": len(in_flight)},
        )  # fmt: skip
        return crisis, len(to_pause), in_flight

    def visible_statement(self, subject: AuthSubject) -> Select[Any]:
        """Crises of the organization as a whole and of the regions and clinics the subject
        works in."""
        clinic_ids = subject.clinic_ids()
        regions = select(col(Clinic.region_id)).where(col(Clinic.id).in_(clinic_ids))
        return select(CrisisMode).where(
            col(CrisisMode.organization_id) == subject.organization_id,
            or_(
                col(CrisisMode.scope_type) == ScopeType.organization,
                and_(
                    col(CrisisMode.scope_type) == ScopeType.clinic,
                    col(CrisisMode.scope_id).in_(clinic_ids),
                ),
                and_(
                    col(CrisisMode.scope_type) == ScopeType.region,
                    col(CrisisMode.scope_id).in_(regions),
                ),
            ),
        )

    async def list(
        self, session: AsyncSession, subject: AuthSubject, params: CursorParams
    ) -> tuple[list[CrisisMode], str | None]:
        """Active crises first (all of them, on the first page), then ended ones, newest first."""
        statement = self.visible_statement(subject)
        active: list[CrisisMode] = []
        if params.cursor is None:
            active = list(
                (
                    await session.execute(
                        statement.where(col(CrisisMode.ended_at).is_(None)).order_by(
                            col(CrisisMode.started_at).desc()
                        )
                    )
                ).scalars()
            )
        ended, cursor = await paginate(
            session, statement.where(col(CrisisMode.ended_at).is_not(None)), params,
            sort=col(CrisisMode.started_at), id_column=col(CrisisMode.id), descending=True,
        )  # fmt: skip
        return active + list(ended), cursor

    async def end(
        self, session: AsyncSession, subject: AuthSubject, crisis_id: uuid.UUID
    ) -> CrisisMode:
        crisis: CrisisMode | None = (
            await session.execute(
                for_update(
                    session, self.visible_statement(subject).where(col(CrisisMode.id) == crisis_id)
                )
            )
        ).scalar_one_or_none()
        if crisis is None:
            raise NotFound("No such crisis.")
        if not await self._may_manage(session, subject, crisis.scope_type, crisis.scope_id):
            raise Forbidden("Your role does not allow ending this crisis.")
        if crisis.ended_at is not None:
            raise InvalidTransition("This crisis has ended already.")
        crisis.ended_at = utc_now()
        crisis.ended_by_id = subject.user.id
        session.add(crisis)
        await session.flush()
        await audit_service.record(
            session, "crisis.ended", subject=subject,
            clinic_id=crisis.scope_id if crisis.scope_type is ScopeType.clinic else None,
            target_type="crisis", target_id=crisis.id,
        )  # fmt: skip
        return crisis

    async def paused(
        self, session: AsyncSession, subject: AuthSubject, params: CursorParams
    ) -> tuple[Sequence[PausedPublicationRead], str | None]:
        """Paused publications in the subject's clinics, the earliest first, for review: each
        with its post's title and its clinic's time zone (rescheduled in local time)."""
        statement = select(Publication).where(
            col(Publication.organization_id) == subject.organization_id,
            col(Publication.clinic_id).in_(subject.clinic_ids(Permission.posts_read)),
            col(Publication.status) == S.paused,
        )
        rows, cursor = await paginate(
            session, statement, params, sort=col(Publication.due_at), id_column=col(Publication.id)
        )
        channels = await publication_service._channels(session, {p.channel_id for p in rows})
        titles: dict[uuid.UUID, str] = {
            row.id: row.title
            for row in await session.execute(
                select(col(Post.id), col(Post.title)).where(
                    col(Post.id).in_({p.post_id for p in rows})
                )
            )
        }
        zones: dict[uuid.UUID, str] = {
            row.id: row.timezone
            for row in await session.execute(
                select(col(Clinic.id), col(Clinic.timezone)).where(
                    col(Clinic.id).in_({p.clinic_id for p in rows})
                )
            )
        }
        items = []
        for publication in rows:
            zone = zones.get(publication.clinic_id, "Europe/Berlin")
            base = publication_read(publication, channels[publication.channel_id])
            items.append(
                PausedPublicationRead(
                    **base.model_dump(),
                    post_title=titles.get(publication.post_id, ""),
                    timezone=zone,
                    due_local=to_zone(publication.due_at, zone).replace(tzinfo=None),
                )
            )
        return items, cursor


crisis_service = CrisisService()
