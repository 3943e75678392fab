"""Consent records (FEAT-4): CRUD in scope, the encrypted document (FEAT-16), links to posts, and
the end of a consent (withdrawal or expiry), which holds back what has not gone out and queues
one takedown per live publication in the same transaction (REL-11)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Permission, Role
from app.auth.subject import AuthSubject
from app.channels.models import Channel
from app.config import Settings
from app.consent.models import (
    Consent,
    ConsentDocument,
    ConsentState,
    ConsentTakedown,
    PostConsent,
)
from app.consent.schemas import (
    ConsentCreate,
    ConsentDetail,
    ConsentRead,
    ConsentSummary,
    ConsentUpdate,
    DocumentInfo,
    LinkedPost,
    TakedownRead,
    validity_errors,
)
from app.kit.errors import (
    AppError,
    Conflict,
    FieldError,
    InvalidTransition,
    NotFound,
    Unprocessable,
)
from app.kit.pagination import CursorParams, paginate
from app.kit.schemas import apply_update
from app.kit.sql import for_update, insert_or_ignore
from app.kit.time import utc_now
from app.media.images import ImageRejected, clean_image
from app.media.service import safe_filename
from app.notifications.models import NotificationKind
from app.notifications.service import notify, users_with
from app.posts.models import MediaAsset, Post
from app.publishing.models import Publication, PublicationStatus
from app.publishing.service import settle
from app.vault.service import SecretBox, SecretError, keyring_from
from app.worker.models import Job, JobStatus

EXPIRY_WARNING = timedelta(days=14)
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
TAKEDOWN_TASK = "consent.takedown"
TAKEDOWN_MAX_ATTEMPTS = 10
P = PublicationStatus
LIVE = frozenset({P.published, P.publishing, P.unconfirmed, P.deleting})
"""Publications that are (or may be) on a platform: each gets a takedown."""
HELD_BACK = frozenset({P.pending})
"""Publications not yet out: paused in the ending transaction, so nothing dependent is queued."""
Cause = Literal["withdrawn", "expired"]


class DocumentTooLarge(AppError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


def state_of(consent: Consent, now: datetime) -> ConsentState:
    if consent.withdrawn_at is not None:
        return ConsentState.withdrawn
    if consent.valid_until is not None and consent.valid_until <= now:
        return ConsentState.expired
    if consent.valid_from > now:
        return ConsentState.upcoming
    if consent.valid_until is not None and consent.valid_until <= now + EXPIRY_WARNING:
        return ConsentState.expiring
    return ConsentState.valid


def _state_condition(state: ConsentState, now: datetime) -> ColumnElement[bool]:
    open_ = col(Consent.withdrawn_at).is_(None)
    until = col(Consent.valid_until)
    not_expired = or_(until.is_(None), until > now)
    conditions: dict[ConsentState, ColumnElement[bool]] = {
        ConsentState.withdrawn: col(Consent.withdrawn_at).is_not(None),
        ConsentState.expired: and_(open_, until <= now),
        ConsentState.upcoming: and_(open_, not_expired, col(Consent.valid_from) > now),
        ConsentState.expiring: and_(
            open_, col(Consent.valid_from) <= now, until > now, until <= now + EXPIRY_WARNING
        ),
        ConsentState.valid: and_(
            open_,
            col(Consent.valid_from) <= now,
            or_(until.is_(None), until > now + EXPIRY_WARNING),
        ),
    }
    return conditions[state]


def _errors(pairs: list[tuple[str, str, str]]) -> list[FieldError]:
    return [FieldError(field=f"body.{f}", message=m, type=t) for f, m, t in pairs]


def check_document(data: bytes) -> tuple[bytes, str, str]:
    """The document checked on its content (never its name or declared type): a PDF, or a JPEG
    or PNG scan re-encoded without metadata. Returns ``(bytes, mime, extension)``."""
    if not data:
        raise ImageRejected("Die Datei ist leer.", "empty_file")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ImageRejected("Die PDF-Datei ist unvollständig.", "corrupt_pdf")
        return data, "application/pdf", "pdf"
    if not data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        raise ImageRejected(
            "Nur PDF, JPEG oder PNG können als Einwilligung hochgeladen werden.",
            "unsupported_type",
        )
    image = clean_image(data)
    return image.content, image.mime, image.extension


async def privacy_officers(
    session: AsyncSession, organization_id: uuid.UUID, clinic_id: uuid.UUID
) -> list[uuid.UUID]:
    """Active privacy officers responsible for the clinic (organization, region or clinic)."""
    return await users_with(session, organization_id, clinic_id, [Role.privacy_officer])


async def enqueue_takedown(
    session: AsyncSession, takedown: ConsentTakedown, *, key: str, run_at: datetime
) -> None:
    """The takedown job, once per ``key`` even when transactions race (``ON CONFLICT``)."""
    values = {
        "id": uuid.uuid4(), "task": TAKEDOWN_TASK, "payload": {"takedown_id": str(takedown.id)},
        "status": JobStatus.queued, "run_at": run_at, "attempts": 0,
        "max_attempts": TAKEDOWN_MAX_ATTEMPTS, "dedupe_key": key,
        "created_at": utc_now(), "updated_at": utc_now(),
    }  # fmt: skip
    await insert_or_ignore(session, Job, ["dedupe_key"], values)


async def notify_post(
    session: AsyncSession,
    post: Post,
    kind: NotificationKind,
    title: str,
    body: str,
) -> None:
    """Tell the clinic's privacy officers and the post's author."""
    users = [*await privacy_officers(session, post.organization_id, post.clinic_id)]
    users.append(post.created_by_id)
    await notify(
        session, user_ids=users, kind=kind, organization_id=post.organization_id,
        clinic_id=post.clinic_id, title_de=title, body_de=body, link=f"/beitraege/{post.id}",
        target_type="post", target_id=post.id,
    )  # fmt: skip


class ConsentService:
    # Scope ---------------------------------------------------------------------------------
    def statement(
        self, subject: AuthSubject, permission: Permission = Permission.consents_manage
    ) -> Select[Any]:
        return select(Consent).where(
            col(Consent.organization_id) == subject.organization_id,
            col(Consent.clinic_id).in_(subject.clinic_ids(permission)),
        )

    async def get(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        consent_id: uuid.UUID,
        *,
        permission: Permission = Permission.consents_manage,
        lock: bool = False,
    ) -> Consent:
        statement = self.statement(subject, permission).where(col(Consent.id) == consent_id)
        if lock:
            statement = for_update(session, statement)
        consent: Consent | None = (await session.execute(statement)).scalar_one_or_none()
        if consent is None:
            raise NotFound("Keine solche Einwilligung.")
        return consent

    # Reading -------------------------------------------------------------------------------
    async def search(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        *,
        statuses: Sequence[ConsentState],
        clinic_id: uuid.UUID | None,
        permission: Permission = Permission.consents_manage,
    ) -> tuple[Sequence[Consent], str | None]:
        statement = self.statement(subject, permission)
        if clinic_id is not None:
            statement = statement.where(col(Consent.clinic_id) == clinic_id)
        if statuses:
            now = utc_now()
            statement = statement.where(or_(*(_state_condition(s, now) for s in statuses)))
        return await paginate(
            session, statement, params, sort=col(Consent.created_at),
            id_column=col(Consent.id), descending=True,
        )  # fmt: skip

    def summary(self, consent: Consent) -> ConsentSummary:
        return ConsentSummary.model_validate(
            {**consent.model_dump(), "status": state_of(consent, utc_now())}
        )

    async def describe(
        self, session: AsyncSession, consents: Sequence[Consent]
    ) -> list[ConsentRead]:
        ids = [c.id for c in consents]
        documents = {
            d.consent_id: d
            for d in (
                await session.execute(
                    select(ConsentDocument).where(col(ConsentDocument.consent_id).in_(ids))
                )
            ).scalars()
        }
        counts = dict(
            (
                await session.execute(
                    select(col(PostConsent.consent_id), func.count())
                    .where(col(PostConsent.consent_id).in_(ids))
                    .group_by(col(PostConsent.consent_id))
                )
            ).all()
        )
        now = utc_now()
        result = []
        for consent in consents:
            document = documents.get(consent.id)
            result.append(
                ConsentRead.model_validate(
                    {
                        **consent.model_dump(),
                        "status": state_of(consent, now),
                        "document": DocumentInfo(
                            filename=document.filename, content_type=document.content_type,
                            size_bytes=document.size_bytes, uploaded_at=document.updated_at,
                        ) if document else None,
                        "post_count": counts.get(consent.id, 0),
                    }
                )
            )  # fmt: skip
        return result

    async def detail(self, session: AsyncSession, consent: Consent) -> ConsentDetail:
        [read] = await self.describe(session, [consent])
        posts = list(
            (
                await session.execute(
                    select(Post)
                    .join(PostConsent, col(PostConsent.post_id) == col(Post.id))
                    .where(col(PostConsent.consent_id) == consent.id)
                    .order_by(col(Post.created_at), col(Post.id))
                )
            ).scalars()
        )
        rows = (
            await session.execute(
                select(Publication, Channel, ConsentTakedown)
                .join(Channel, col(Channel.id) == col(Publication.channel_id))
                .outerjoin(
                    ConsentTakedown,
                    col(ConsentTakedown.publication_id) == col(Publication.id),
                )
                .where(col(Publication.post_id).in_([p.id for p in posts]))
                .order_by(col(Publication.created_at), col(Publication.id))
            )
        ).all()
        by_post: dict[uuid.UUID, list[TakedownRead]] = {p.id: [] for p in posts}
        for publication, channel, takedown in rows:
            by_post[publication.post_id].append(
                TakedownRead(
                    publication_id=publication.id, channel_id=channel.id,
                    channel_name=channel.display_name, platform=channel.platform,
                    publication_status=publication.status, platform_url=publication.platform_url,
                    takedown_status=takedown.status if takedown else None,
                    attempts=takedown.attempts if takedown else 0,
                    last_error=takedown.last_error if takedown else None,
                    finished_at=takedown.finished_at if takedown else None,
                )
            )  # fmt: skip
        return ConsentDetail.model_validate(
            {
                **read.model_dump(),
                "posts": [
                    LinkedPost(
                        post_id=p.id, title=p.title, status=p.status,
                        created_by_id=p.created_by_id, publications=by_post[p.id],
                    )
                    for p in posts
                ],
            }
        )  # fmt: skip

    # Writing -------------------------------------------------------------------------------
    async def _check_scope(self, session: AsyncSession, consent: Consent, fields: set[str]) -> None:
        """Channels of the consent's clinic (or the organization) and images of its clinic;
        every unknown one at once (422)."""
        errors: list[FieldError] = []
        if "channel_ids" in fields and consent.channel_ids:
            known = {
                str(i)
                for i in (
                    await session.execute(
                        select(col(Channel.id)).where(
                            col(Channel.id).in_([uuid.UUID(c) for c in consent.channel_ids]),
                            col(Channel.organization_id) == consent.organization_id,
                            or_(
                                col(Channel.clinic_id) == consent.clinic_id,
                                col(Channel.clinic_id).is_(None),
                            ),
                        )
                    )
                ).scalars()
            }
            errors += [
                FieldError(field=f"body.channel_ids.{i}", message="Kein solcher Kanal.",
                           type="not_found")
                for i, c in enumerate(consent.channel_ids) if c not in known
            ]  # fmt: skip
        if "media_ids" in fields and consent.media_ids:
            known = {
                str(i)
                for i in (
                    await session.execute(
                        select(col(MediaAsset.id)).where(
                            col(MediaAsset.id).in_([uuid.UUID(m) for m in consent.media_ids]),
                            col(MediaAsset.organization_id) == consent.organization_id,
                            col(MediaAsset.clinic_id) == consent.clinic_id,
                        )
                    )
                ).scalars()
            }
            errors += [
                FieldError(field=f"body.media_ids.{i}", message="Kein solches Bild.",
                           type="not_found")
                for i, m in enumerate(consent.media_ids) if m not in known
            ]  # fmt: skip
        if errors:
            raise Unprocessable("Der Geltungsbereich nennt Unbekanntes.", errors=errors)

    async def create(
        self, session: AsyncSession, subject: AuthSubject, data: ConsentCreate
    ) -> Consent:
        if data.clinic_id not in subject.clinic_ids(Permission.consents_manage):
            raise Unprocessable(
                "Keine solche Klinik.",
                errors=[FieldError(field="body.clinic_id", message="Keine solche Klinik.",
                                   type="not_found")],
            )  # fmt: skip
        consent = Consent(
            organization_id=subject.organization_id,
            clinic_id=data.clinic_id,
            subject_label=data.subject_label,
            subject_kind=data.subject_kind,
            legal_basis=data.legal_basis,
            channel_ids=[str(c) for c in dict.fromkeys(data.channel_ids)],
            categories=[c.value for c in dict.fromkeys(data.categories)],
            media_ids=[str(m) for m in dict.fromkeys(data.media_ids)],
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            document_reference=data.document_reference,
            signer=data.signer,
            created_by_id=subject.user.id,
        )
        await self._check_scope(session, consent, {"channel_ids", "media_ids"})
        session.add(consent)
        await session.flush()
        await self._audit(
            session, subject, consent, "consent.created",
            {"subject_kind": consent.subject_kind.value, "legal_basis": consent.legal_basis.value,
             "channels": len(consent.channel_ids), "categories": consent.categories},
        )  # fmt: skip
        return consent

    async def update(
        self, session: AsyncSession, subject: AuthSubject, consent: Consent, data: ConsentUpdate
    ) -> Consent:
        if consent.ended_at is not None or consent.withdrawn_at is not None:
            raise InvalidTransition(
                "Eine widerrufene oder abgelaufene Einwilligung kann nicht mehr geändert werden."
            )
        values = data.model_dump(exclude_unset=True)
        for key in ("channel_ids", "media_ids"):
            if key in values:
                values[key] = [str(v) for v in dict.fromkeys(values[key])]
        if "categories" in values:
            values["categories"] = [c.value for c in dict.fromkeys(values["categories"])]
        before_until = consent.valid_until
        changes = apply_update(consent, ConsentUpdate.model_construct(**values))
        if not changes:
            return consent
        errors = validity_errors(
            valid_from=consent.valid_from, valid_until=consent.valid_until,
            legal_basis=consent.legal_basis, subject_kind=consent.subject_kind,
            document_reference=consent.document_reference,
        )  # fmt: skip
        if errors:
            raise Unprocessable("Die Einwilligung ist so nicht gültig.", errors=_errors(errors))
        await self._check_scope(session, consent, set(changes))
        if consent.valid_until != before_until:
            consent.expiry_warned_at = None  # a new end date earns a new warning
        session.add(consent)
        await session.flush()
        # Ids and flags only: labels and signers are personal data.
        await self._audit(session, subject, consent, "consent.updated", {"fields": sorted(changes)})
        return consent

    async def delete(self, session: AsyncSession, subject: AuthSubject, consent: Consent) -> None:
        used = (
            await session.execute(
                select(func.count())
                .select_from(PostConsent)
                .where(col(PostConsent.consent_id) == consent.id)
            )
        ).scalar_one() + (
            await session.execute(
                select(func.count())
                .select_from(ConsentTakedown)
                .where(col(ConsentTakedown.consent_id) == consent.id)
            )
        ).scalar_one()
        if used:
            raise Conflict(
                "Mit Beiträgen verknüpfte Einwilligungen bleiben als Nachweis erhalten; "
                "bitte widerrufen statt löschen."
            )
        document = (
            await session.execute(
                select(ConsentDocument).where(col(ConsentDocument.consent_id) == consent.id)
            )
        ).scalar_one_or_none()
        if document is not None:
            await session.delete(document)
        await self._audit(session, subject, consent, "consent.deleted", {})
        await session.delete(consent)
        await session.flush()

    async def withdraw(
        self, session: AsyncSession, subject: AuthSubject, consent: Consent, reason: str
    ) -> Consent:
        if consent.withdrawn_at is not None:
            raise InvalidTransition("Die Einwilligung ist bereits widerrufen.")
        consent.withdrawn_at = utc_now()
        consent.withdrawal_reason = reason
        await self.end(session, consent, cause="withdrawn", subject=subject)
        return consent

    # The end: withdrawal or expiry -----------------------------------------------------------
    async def end(
        self,
        session: AsyncSession,
        consent: Consent,
        *,
        cause: Cause,
        subject: AuthSubject | None = None,
    ) -> int:
        """Hold back the linked posts' publications that have not gone out and queue one
        takedown per live publication (none twice, whichever consents ended). Returns how many
        takedowns were queued. Runs in the caller's transaction."""
        now = utc_now()
        first_end = consent.ended_at is None
        consent.ended_at = consent.ended_at or now
        session.add(consent)
        await session.flush()
        posts = list(
            (
                await session.execute(
                    for_update(
                        session,
                        select(Post)
                        .join(PostConsent, col(PostConsent.post_id) == col(Post.id))
                        .where(col(PostConsent.consent_id) == consent.id)
                        .order_by(col(Post.id)),
                    )
                )
            ).scalars()
        )
        queued = held = 0
        for post in posts:
            created, paused = await self._end_post(session, consent, post, now)
            queued += created
            held += paused
        action = "consent.withdrawn" if cause == "withdrawn" else "consent.expired"
        if first_end or cause == "withdrawn":
            await self._audit(
                session, subject, consent, action,
                {"posts": len(posts), "takedowns": queued, "held_back": held},
            )  # fmt: skip
        return queued

    async def _end_post(
        self, session: AsyncSession, consent: Consent, post: Post, now: datetime
    ) -> tuple[int, int]:
        publications = list(
            (
                await session.execute(
                    for_update(
                        session,
                        select(Publication)
                        .where(col(Publication.post_id) == post.id)
                        .order_by(col(Publication.id)),
                    )
                )
            ).scalars()
        )
        existing = set(
            (
                await session.execute(
                    select(col(ConsentTakedown.publication_id)).where(
                        col(ConsentTakedown.post_id) == post.id
                    )
                )
            ).scalars()
        )
        created = paused = 0
        for publication in publications:
            if publication.status in HELD_BACK:
                await settle(
                    session, publication, P.paused, error_code="consent_ended",
                    error="Angehalten: Eine Einwilligung, auf der der Beitrag beruht, ist "
                    "widerrufen oder abgelaufen. Nicht veröffentlicht.",
                    action="publication.paused",
                    details={"reason": "consent", "consent_id": str(consent.id)},
                )  # fmt: skip
                paused += 1
            elif publication.status in LIVE and publication.id not in existing:
                takedown = ConsentTakedown(
                    publication_id=publication.id, post_id=post.id, consent_id=consent.id,
                    organization_id=post.organization_id, clinic_id=post.clinic_id,
                    next_attempt_at=now,
                )  # fmt: skip
                session.add(takedown)
                await session.flush()
                await enqueue_takedown(
                    session, takedown, key=f"{TAKEDOWN_TASK}:{publication.id}", run_at=now
                )
                await audit_service.record(
                    session, "publication.takedown_requested",
                    organization_id=post.organization_id, clinic_id=post.clinic_id,
                    target_type="publication", target_id=publication.id,
                    details={"post_id": str(post.id), "consent_id": str(consent.id),
                             "status": publication.status.value},
                )  # fmt: skip
                created += 1
        if created:
            await notify_post(
                session, post, NotificationKind.consent_takedown_started,
                "Beitrag wird entfernt",
                f"Eine Einwilligung ist beendet: „{post.title}“ wird von {created} "
                "Kanal/Kanälen gelöscht.",
            )  # fmt: skip
        return created, paused

    async def expire_due(self, session: AsyncSession, now: datetime) -> int:
        """End every consent whose validity ran out; returns how many (the periodic job)."""
        statement = select(Consent).where(
            col(Consent.ended_at).is_(None),
            col(Consent.withdrawn_at).is_(None),
            col(Consent.valid_until) <= now,
        )
        if session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        consents = list((await session.execute(statement.limit(200))).scalars())
        for consent in consents:
            await self.end(session, consent, cause="expired")
        return len(consents)

    async def warn_expiring(self, session: AsyncSession, now: datetime) -> int:
        """Tell the privacy officers once per record, 14 days before ``valid_until``."""
        statement = select(Consent).where(
            col(Consent.expiry_warned_at).is_(None),
            col(Consent.ended_at).is_(None),
            col(Consent.withdrawn_at).is_(None),
            col(Consent.valid_until) > now,
            col(Consent.valid_until) <= now + EXPIRY_WARNING,
        )
        consents = list((await session.execute(for_update(session, statement))).scalars())
        for consent in consents:
            assert consent.valid_until is not None
            consent.expiry_warned_at = now
            session.add(consent)
            await notify(
                session,
                user_ids=await privacy_officers(
                    session, consent.organization_id, consent.clinic_id
                ),
                kind=NotificationKind.consent_expiring,
                organization_id=consent.organization_id, clinic_id=consent.clinic_id,
                title_de="Einwilligung läuft bald ab",
                body_de=f"Die Einwilligung „{consent.subject_label}“ endet am "
                f"{consent.valid_until:%d.%m.%Y}. Danach werden verknüpfte Beiträge entfernt.",
                link=f"/einwilligungen/{consent.id}", target_type="consent", target_id=consent.id,
            )  # fmt: skip
            await self._audit(session, None, consent, "consent.expiry_warned", {})
        return len(consents)

    # Document ------------------------------------------------------------------------------
    async def put_document(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        settings: Settings,
        consent: Consent,
        *,
        filename: str | None,
        data: bytes,
    ) -> Consent:
        if len(data) > DOCUMENT_MAX_BYTES:
            raise DocumentTooLarge(
                f"Die Datei ist größer als {DOCUMENT_MAX_BYTES // (1024 * 1024)} MiB."
            )
        try:
            content, mime, extension = await asyncio.to_thread(check_document, data)
        except ImageRejected as exc:
            raise Unprocessable(
                exc.message,
                errors=[FieldError(field="body.file", message=exc.message, type=exc.code)],
            ) from None
        box = SecretBox(keyring_from(settings))
        sealed = await box.seal_bytes(
            session, consent.organization_id, content, context=_document_context(consent)
        )
        document = (
            await session.execute(
                select(ConsentDocument).where(col(ConsentDocument.consent_id) == consent.id)
            )
        ).scalar_one_or_none()
        if document is None:
            document = ConsentDocument(
                consent_id=consent.id, filename="", content_type="", size_bytes=0, sealed=b"",
                uploaded_by_id=subject.user.id,
            )  # fmt: skip
        replaced = bool(document.sealed)
        document.filename = safe_filename(filename or "einwilligung", extension)
        document.content_type = mime
        document.size_bytes = len(content)
        document.sealed = sealed
        document.uploaded_by_id = subject.user.id
        document.updated_at = utc_now()
        session.add(document)
        await session.flush()
        await self._audit(
            session, subject, consent, "consent.document_uploaded",
            {"content_type": mime, "size_bytes": len(content), "replaced": replaced},
        )  # fmt: skip
        return consent

    async def get_document(
        self, session: AsyncSession, subject: AuthSubject, settings: Settings, consent: Consent
    ) -> tuple[ConsentDocument, bytes]:
        document = (
            await session.execute(
                select(ConsentDocument).where(col(ConsentDocument.consent_id) == consent.id)
            )
        ).scalar_one_or_none()
        if document is None:
            raise NotFound("Zu dieser Einwilligung ist kein Dokument hinterlegt.")
        box = SecretBox(keyring_from(settings))
        try:
            content = await box.open_bytes(
                session, consent.organization_id, document.sealed,
                context=_document_context(consent),
            )  # fmt: skip
        except SecretError:
            raise NotFound("Das Dokument lässt sich nicht öffnen.") from None
        await self._audit(session, subject, consent, "consent.document_downloaded", {})
        return document, content

    # Links to posts ------------------------------------------------------------------------
    async def linked_ids(
        self, session: AsyncSession, post_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        result: dict[uuid.UUID, list[uuid.UUID]] = {pid: [] for pid in post_ids}
        rows = await session.execute(
            select(col(PostConsent.post_id), col(PostConsent.consent_id))
            .where(col(PostConsent.post_id).in_(list(post_ids)))
            .order_by(col(PostConsent.consent_id))
        )
        for post_id, consent_id in rows.all():
            result[post_id].append(consent_id)
        return result

    async def replace_links(
        self, session: AsyncSession, post: Post, consent_ids: Sequence[uuid.UUID]
    ) -> bool:
        """Link exactly these consents to the post; they must belong to its clinic and not have
        ended (422 otherwise, every problem at once). True when the set changed."""
        wanted = list(dict.fromkeys(consent_ids))
        found = {
            c.id: c
            for c in (
                await session.execute(
                    select(Consent).where(
                        col(Consent.id).in_(wanted),
                        col(Consent.organization_id) == post.organization_id,
                        col(Consent.clinic_id) == post.clinic_id,
                    )
                )
            ).scalars()
        }
        links = {
            link.consent_id: link
            for link in (
                await session.execute(
                    select(PostConsent).where(col(PostConsent.post_id) == post.id)
                )
            ).scalars()
        }
        errors = []
        for index, consent_id in enumerate(consent_ids):
            consent = found.get(consent_id)
            field = f"body.consent_ids.{index}"
            if consent is None:
                errors.append(FieldError(field=field, message="Keine solche Einwilligung "
                                         "für diese Klinik.", type="not_found"))  # fmt: skip
            elif consent_id not in links and (
                consent.ended_at is not None or consent.withdrawn_at is not None
            ):
                errors.append(FieldError(field=field, message="Die Einwilligung ist widerrufen "
                                         "oder abgelaufen.", type="consent_ended"))  # fmt: skip
        if errors:
            raise Unprocessable("Nicht alle Einwilligungen können verknüpft werden.", errors=errors)
        if set(links) == set(wanted):
            return False
        for consent_id, link in links.items():
            if consent_id not in wanted:
                await session.delete(link)
        for consent_id in wanted:
            if consent_id not in links:
                session.add(PostConsent(post_id=post.id, consent_id=consent_id))
        await session.flush()
        return True

    async def _audit(
        self,
        session: AsyncSession,
        subject: AuthSubject | None,
        consent: Consent,
        action: str,
        details: dict[str, Any],
    ) -> None:
        await audit_service.record(
            session, action, subject=subject, organization_id=consent.organization_id,
            clinic_id=consent.clinic_id, target_type="consent", target_id=consent.id,
            details=details,
        )  # fmt: skip


def _document_context(consent: Consent) -> str:
    return f"consent:{consent.id}:document"


consent_service = ConsentService()
