"""Posts: composing, per-channel variants, review, scheduling in the clinic's time zone."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, literal, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.approvals.models import RequestStatus
from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.channels.models import Channel, ChannelStatus
from app.compliance.service import compliance_service
from app.connectors.base import MediaItem, Platform
from app.consent.service import consent_service
from app.kit.errors import FieldError, Forbidden, InvalidTransition, NotFound, Unprocessable
from app.kit.models import UTCDateTime
from app.kit.pagination import CursorParams, paginate
from app.kit.schemas import apply_update
from app.kit.time import to_zone, utc_now
from app.posts.localtime import resolve_local
from app.posts.models import (
    UNSCHEDULED,
    MediaAsset,
    Post,
    PostCategory,
    PostMedia,
    PostStatus,
    PostVariant,
)
from app.posts.schemas import (
    IssueRead,
    PostCreate,
    PostMediaInput,
    PostMediaRead,
    PostRead,
    PostUpdate,
    PreviewRequest,
    PreviewResult,
    ScheduleRequest,
    TargetCheck,
    VariantInput,
    VariantRead,
)
from app.posts.states import (
    EDITABLE,
    LABELS_DE,
    NEEDS_REVIEW_AFTER_EDIT,
    can_transition,
    raise_invalid,
    transition,
)
from app.posts.validation import TargetReport, tagged_link, validate_target
from app.publishing.planning import cancel_publications, plan_publications
from app.tenancy.models import Clinic

if TYPE_CHECKING:
    from app.approvals.service import ApprovalService

S = PostStatus
CONTENT_FIELDS = frozenset({"base_text", "link_url", "utm", "category", "shows_patient"})
CALENDAR_AT = type_coerce(
    func.coalesce(col(Post.scheduled_at), literal(UNSCHEDULED, UTCDateTime())), UTCDateTime()
).label("calendar_at")
"""Calendar order: by scheduled time, unscheduled posts last (``Post.calendar_at``)."""


def _check_holding(post: Post, requested: bool) -> bool:
    """Only crisis posts are holding statements: asking for it otherwise is a 422; a category
    change away from crisis drops the flag (True then)."""
    if not post.holding_statement or post.category is PostCategory.crisis:
        return False
    if requested:
        message = "Nur Beiträge der Kategorie „Krise“ können Dark-Site-Statements sein."
        raise Unprocessable(
            message,
            errors=[FieldError(field="body.holding_statement", message=message, type="category")],
        )
    post.holding_statement = False
    return True


def _approvals() -> ApprovalService:
    """The approvals module builds on this one (snapshots, descriptions); imported late."""
    from app.approvals.service import approval_service

    return approval_service


def _issue_read(report: TargetReport) -> list[IssueRead]:
    return [IssueRead(**vars(issue)) for issue in report.issues]


class PostService:
    # Scope ---------------------------------------------------------------------------------
    def statement(
        self, subject: AuthSubject, permission: Permission = Permission.posts_read
    ) -> Select[Any]:
        return select(Post).where(
            col(Post.organization_id) == subject.organization_id,
            col(Post.clinic_id).in_(subject.clinic_ids(permission)),
        )

    async def get(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        post_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> Post:
        statement = self.statement(subject).where(col(Post.id) == post_id)
        if for_update:
            statement = statement.with_for_update()
        post: Post | None = (await session.execute(statement)).scalar_one_or_none()
        if post is None:
            raise NotFound("No such post.")
        return post

    def _require(self, subject: AuthSubject, post: Post, permission: Permission) -> None:
        if permission not in subject.clinic_permissions.get(post.clinic_id, frozenset()):
            raise Forbidden("Your role does not allow this action for this clinic.")

    # Reading -------------------------------------------------------------------------------
    async def search(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        params: CursorParams,
        *,
        start: datetime | None,
        end: datetime | None,
        clinic_id: uuid.UUID | None,
        channel_id: uuid.UUID | None,
        statuses: Sequence[PostStatus],
    ) -> tuple[Sequence[Post], str | None]:
        if start is not None and end is not None and end <= start:
            raise Unprocessable(
                "`to` must lie after `from`.",
                errors=[
                    FieldError(field="query.to", message="must lie after from", type="value_error")
                ],
            )
        statement = self.statement(subject)
        if start is not None:
            statement = statement.where(col(Post.scheduled_at) >= start)
        if end is not None:
            statement = statement.where(col(Post.scheduled_at) < end)
        if clinic_id is not None:
            statement = statement.where(col(Post.clinic_id) == clinic_id)
        if channel_id is not None:
            statement = statement.where(
                col(Post.id).in_(
                    select(col(PostVariant.post_id)).where(
                        col(PostVariant.channel_id) == channel_id
                    )
                )
            )
        if statuses:
            statement = statement.where(col(Post.status).in_(list(statuses)))
        return await paginate(session, statement, params, sort=CALENDAR_AT, id_column=col(Post.id))

    async def describe(self, session: AsyncSession, posts: Sequence[Post]) -> list[PostRead]:
        ids = [p.id for p in posts]
        zones = {
            row.id: row.timezone
            for row in await session.execute(
                select(col(Clinic.id), col(Clinic.timezone)).where(
                    col(Clinic.id).in_({p.clinic_id for p in posts})
                )
            )
        }
        variants: dict[uuid.UUID, list[VariantRead]] = {pid: [] for pid in ids}
        rows = await session.execute(
            select(PostVariant, Channel)
            .join(Channel, col(Channel.id) == col(PostVariant.channel_id))
            .where(col(PostVariant.post_id).in_(ids))
            .order_by(col(PostVariant.created_at), col(PostVariant.channel_id))
        )
        for variant, channel in rows.all():
            variants[variant.post_id].append(
                VariantRead(
                    channel_id=channel.id,
                    platform=channel.platform,
                    channel_name=channel.display_name,
                    text_override=variant.text_override,
                    options=variant.options,
                )
            )
        media: dict[uuid.UUID, list[PostMediaRead]] = {pid: [] for pid in ids}
        media_rows = await session.execute(
            select(PostMedia, MediaAsset)
            .join(MediaAsset, col(MediaAsset.id) == col(PostMedia.media_id))
            .where(col(PostMedia.post_id).in_(ids))
            .order_by(col(PostMedia.post_id), col(PostMedia.position))
        )
        for pm, asset in media_rows.all():
            media[pm.post_id].append(
                PostMediaRead(
                    media_id=asset.id,
                    position=pm.position,
                    alt_text=pm.alt_text,
                    filename=asset.filename,
                    content_type=asset.content_type,
                    size_bytes=asset.size_bytes,
                    width=asset.width,
                    height=asset.height,
                    content_url=f"/api/v1/media/{asset.id}/content",
                )
            )
        consents = await consent_service.linked_ids(session, ids)
        result = []
        for post in posts:
            zone = zones.get(post.clinic_id, "Europe/Berlin")
            result.append(
                PostRead.model_validate(
                    {
                        **post.model_dump(),
                        "tagged_link": tagged_link(post.link_url, post.utm),
                        "timezone": zone,
                        "scheduled_local": (
                            to_zone(post.scheduled_at, zone).replace(tzinfo=None)
                            if post.scheduled_at
                            else None
                        ),
                        "approval_current": bool(
                            post.approved_hash and post.approved_hash == post.content_hash
                        ),
                        "variants": variants[post.id],
                        "media": media[post.id],
                        "consent_ids": consents[post.id],
                    }
                )
            )
        return result

    # Writing -------------------------------------------------------------------------------
    async def create(self, session: AsyncSession, subject: AuthSubject, data: PostCreate) -> Post:
        if data.clinic_id not in subject.clinic_ids(Permission.posts_read):
            raise Unprocessable(
                "No such clinic.",
                errors=[
                    FieldError(
                        field="body.clinic_id", message="No such clinic.", type="value_error"
                    )
                ],
            )
        if data.clinic_id not in subject.clinic_ids(Permission.posts_write):
            raise Forbidden("Your role does not allow writing posts for this clinic.")
        post = Post(
            organization_id=subject.organization_id,
            clinic_id=data.clinic_id,
            title=data.title,
            category=data.category,
            campaign=data.campaign,
            language=data.language,
            base_text=data.base_text,
            link_url=data.link_url,
            utm=data.utm.model_dump(exclude_none=True),
            shows_patient=data.shows_patient,
            holding_statement=data.holding_statement,
            created_by_id=subject.user.id,
        )
        _check_holding(post, data.holding_statement)
        channels = await self._check_channels(session, post, data.variants, "body.variants")
        session.add(post)
        await session.flush()
        await self._write_variants(session, post, data.variants, channels)
        post.content_hash = await self._content_hash(session, post)
        await session.flush()
        await audit_service.record(
            session, "post.created", subject=subject, clinic_id=post.clinic_id,
            target_type="post", target_id=post.id,
            details={"category": post.category.value, "channels": len(data.variants)},
        )  # fmt: skip
        return post

    async def update(
        self, session: AsyncSession, subject: AuthSubject, post: Post, data: PostUpdate
    ) -> Post:
        self._require(subject, post, Permission.posts_write)
        self._ensure_editable(post)
        values = data.model_dump(exclude_unset=True)
        changes: dict[str, Any] = {}
        if "utm" in values:
            utm = {k: v for k, v in values.pop("utm").items() if v is not None}
            if utm != post.utm:
                post.utm = utm
                changes["utm"] = True
        changes |= apply_update(post, PostUpdate.model_validate(values))
        if _check_holding(post, values.get("holding_statement", False)):
            changes["holding_statement"] = True
        if not changes:
            return post
        await self._after_edit(session, subject, post, sorted(changes))
        return post

    async def set_variants(
        self, session: AsyncSession, subject: AuthSubject, post: Post, variants: list[VariantInput]
    ) -> Post:
        self._require(subject, post, Permission.posts_write)
        self._ensure_editable(post)
        channels = await self._check_channels(session, post, variants, "body.variants")
        await self._write_variants(session, post, variants, channels)
        await self._after_edit(session, subject, post, ["variants"])
        return post

    async def set_media(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        post: Post,
        items: list[PostMediaInput],
    ) -> Post:
        """Replace the attached images (in order, with alt texts). Like every content edit this
        changes the content hash: an approved post goes back to review."""
        self._require(subject, post, Permission.posts_write)
        self._ensure_editable(post)
        await self._check_media(session, post, items)
        for row in (
            await session.execute(select(PostMedia).where(col(PostMedia.post_id) == post.id))
        ).scalars():
            await session.delete(row)
        await session.flush()  # free the (post_id, position) slots before inserting
        for position, item in enumerate(items):
            session.add(
                PostMedia(
                    post_id=post.id,
                    media_id=item.media_id,
                    position=position,
                    alt_text=item.alt_text,
                )
            )
        await self._after_edit(session, subject, post, ["media"])
        return post

    async def set_consents(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        post: Post,
        consent_ids: list[uuid.UUID],
    ) -> Post:
        """Replace the linked consent records (of the post's clinic, not ended). Reviewers
        approve them with the content: a change of an approved post sends it back to review."""
        self._require(subject, post, Permission.posts_write)
        self._ensure_editable(post)
        if await consent_service.replace_links(session, post, consent_ids):
            await self._after_edit(session, subject, post, ["consents"])
        return post

    async def _check_media(
        self, session: AsyncSession, post: Post, items: Sequence[PostMediaInput]
    ) -> None:
        """Media must have been uploaded for the post's clinic; every problem at once."""
        ids = [item.media_id for item in items]
        found = set(
            (
                await session.execute(
                    select(col(MediaAsset.id)).where(
                        col(MediaAsset.id).in_(ids),
                        col(MediaAsset.organization_id) == post.organization_id,
                        col(MediaAsset.clinic_id) == post.clinic_id,
                    )
                )
            ).scalars()
        )
        errors: list[FieldError] = []
        seen: set[uuid.UUID] = set()
        for index, media_id in enumerate(ids):
            field = f"body.media.{index}.media_id"
            if media_id in seen:
                message, kind = "Das Bild ist doppelt angegeben.", "duplicate"
            elif media_id not in found:
                message, kind = "Kein solches Bild für diese Klinik.", "not_found"
            else:
                seen.add(media_id)
                continue
            errors.append(FieldError(field=field, message=message, type=kind))
        if errors:
            raise Unprocessable("Nicht alle Bilder können verwendet werden.", errors=errors)

    def _ensure_editable(self, post: Post) -> None:
        if post.status not in EDITABLE:
            raise InvalidTransition(
                f"Ein Beitrag im Status „{LABELS_DE[post.status]}“ kann nicht mehr geändert "
                "werden; bitte duplizieren."
            )

    async def _after_edit(
        self, session: AsyncSession, subject: AuthSubject, post: Post, fields: list[str]
    ) -> None:
        """Recompute the content hash; a changed approved post goes back to review."""
        await session.flush()
        new_hash = await self._content_hash(session, post)
        back_to_review = False
        changed = new_hash != post.content_hash
        if changed:
            post.content_hash = new_hash
            post.content_version += 1
            if post.status in NEEDS_REVIEW_AFTER_EDIT:
                if post.status in (S.scheduled, S.paused, S.failed):
                    await cancel_publications(session, post)
                transition(post, S.in_review)
                post.approved_by_id = None
                post.approved_at = None
                post.approved_hash = None
                back_to_review = True
        await session.flush()
        await audit_service.record(
            session, "post.updated", subject=subject, clinic_id=post.clinic_id,
            target_type="post", target_id=post.id,
            details={"fields": fields, "content_version": post.content_version,
                     "back_to_review": back_to_review},
        )  # fmt: skip
        if changed and post.status is S.in_review:
            # the approval binds to a content version: a new one starts the review again
            await _approvals().open_request(session, subject, post)

    async def _check_channels(
        self, session: AsyncSession, post: Post, variants: Sequence[VariantInput], where: str
    ) -> dict[uuid.UUID, Channel]:
        """Target channels must belong to the post's clinic (or be organization channels of
        its organization) and be connected; every problem is listed at once."""
        ids = [v.channel_id for v in variants]
        channels = {
            c.id: c
            for c in (
                await session.execute(
                    select(Channel).where(
                        col(Channel.id).in_(ids),
                        col(Channel.organization_id) == post.organization_id,
                        or_(
                            col(Channel.clinic_id) == post.clinic_id,
                            col(Channel.clinic_id).is_(None),
                        ),
                    )
                )
            ).scalars()
        }
        errors: list[FieldError] = []
        seen: set[uuid.UUID] = set()
        for index, channel_id in enumerate(ids):
            field = f"{where}.{index}.channel_id"
            channel = channels.get(channel_id)
            if channel_id in seen:
                errors.append(
                    FieldError(
                        field=field, message="Der Kanal ist doppelt angegeben.", type="duplicate"
                    )
                )
            elif channel is None:
                errors.append(
                    FieldError(
                        field=field,
                        message="Kein solcher Kanal für diese Klinik.",
                        type="not_found",
                    )
                )
            elif channel.status is not ChannelStatus.connected:
                errors.append(
                    FieldError(
                        field=field,
                        message=f"Der Kanal „{channel.display_name}“ ist nicht verbunden "
                        f"({channel.status.value}); bitte zuerst neu verbinden.",
                        type="channel_not_connected",
                    )
                )
            seen.add(channel_id)
        if errors:
            raise Unprocessable("Nicht alle Kanäle können verwendet werden.", errors=errors)
        return channels

    async def _write_variants(
        self,
        session: AsyncSession,
        post: Post,
        variants: Sequence[VariantInput],
        channels: dict[uuid.UUID, Channel],
    ) -> None:
        existing = {
            v.channel_id: v
            for v in (
                await session.execute(
                    select(PostVariant).where(col(PostVariant.post_id) == post.id)
                )
            ).scalars()
        }
        wanted = {v.channel_id: v for v in variants}
        for channel_id, variant in existing.items():
            if channel_id not in wanted:
                await session.delete(variant)
        for channel_id, data in wanted.items():
            row = existing.get(channel_id)
            if row is None:
                session.add(
                    PostVariant(
                        post_id=post.id,
                        channel_id=channel_id,
                        text_override=data.text_override,
                        options=data.options,
                    )
                )
            else:
                row.text_override = data.text_override
                row.options = data.options
        await session.flush()

    async def _media(self, session: AsyncSession, post: Post) -> list[tuple[PostMedia, MediaAsset]]:
        rows = await session.execute(
            select(PostMedia, MediaAsset)
            .join(MediaAsset, col(MediaAsset.id) == col(PostMedia.media_id))
            .where(col(PostMedia.post_id) == post.id)
            .order_by(col(PostMedia.position))
        )
        return list(rows.all())

    async def _content_hash(self, session: AsyncSession, post: Post) -> str:
        """sha256 over everything a reviewer approves: texts, variants, media with alt texts,
        the UTM-tagged link, category, whether a patient is shown and the linked consents."""
        variants = (
            await session.execute(select(PostVariant).where(col(PostVariant.post_id) == post.id))
        ).scalars()
        media = await self._media(session, post)
        payload: dict[str, Any] = {
            "base_text": post.base_text,
            "link": tagged_link(post.link_url, post.utm),
            "category": post.category.value,
            "shows_patient": post.shows_patient,
            "variants": sorted([str(v.channel_id), v.text_override, v.options] for v in variants),
            "media": [[pm.position, asset.sha256, pm.alt_text] for pm, asset in media],
        }
        consents = (await consent_service.linked_ids(session, [post.id]))[post.id]
        if consents:  # only when linked: hashes of posts without consents stay as they were
            payload["consents"] = sorted(str(c) for c in consents)
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    # Review --------------------------------------------------------------------------------
    async def submit(self, session: AsyncSession, subject: AuthSubject, post: Post) -> Post:
        self._require(subject, post, Permission.posts_write)
        if post.status not in (S.draft, S.changes_requested):
            raise_invalid(post.status, S.in_review)
        errors = await self._validate_targets(session, post)
        if errors:
            raise Unprocessable(
                "Der Beitrag erfüllt nicht alle Vorgaben der Plattformen.", errors=errors
            )
        await compliance_service.ensure_submittable(session, post)
        transition(post, S.in_review)
        await session.flush()
        await self._audit(session, subject, post, "post.submitted")
        await _approvals().open_request(session, subject, post)
        return post

    async def _validate_targets(self, session: AsyncSession, post: Post) -> list[FieldError]:
        rows = list(
            (
                await session.execute(
                    select(PostVariant, Channel)
                    .join(Channel, col(Channel.id) == col(PostVariant.channel_id))
                    .where(col(PostVariant.post_id) == post.id)
                    .order_by(col(PostVariant.created_at), col(PostVariant.channel_id))
                )
            ).all()
        )
        if not rows:
            return [
                FieldError(
                    field="variants",
                    message="Bitte mindestens einen Kanal wählen.",
                    type="no_channels",
                )
            ]
        media = [
            MediaItem(
                kind="gif" if asset.content_type == "image/gif" else "image",
                url="",
                mime=asset.content_type,
                size_bytes=asset.size_bytes,
                alt_text=pm.alt_text,
            )
            for pm, asset in await self._media(session, post)
        ]
        link = tagged_link(post.link_url, post.utm)
        errors: list[FieldError] = []
        for variant, channel in rows:
            prefix = f"channels.{channel.id}"
            label = f"{channel.display_name} ({channel.platform.value})"
            if channel.status is not ChannelStatus.connected:
                errors.append(
                    FieldError(
                        field=f"{prefix}.channel",
                        message=f"{label}: Der Kanal ist nicht verbunden; bitte neu verbinden.",
                        type="channel_not_connected",
                    )
                )
                continue
            report = validate_target(
                channel.platform,
                text=variant.text_override if variant.text_override is not None else post.base_text,
                link=link,
                language=post.language,
                media=media,
                options=variant.options,
            )
            errors += [
                FieldError(
                    field=f"{prefix}.{i.field}", message=f"{label}: {i.message}", type=i.code
                )
                for i in report.blocking
            ]
        return errors

    # Scheduling ----------------------------------------------------------------------------
    async def schedule(
        self, session: AsyncSession, subject: AuthSubject, post: Post, data: ScheduleRequest
    ) -> Post:
        self._require(subject, post, Permission.posts_schedule)
        if not can_transition(post.status, S.scheduled):
            raise_invalid(post.status, S.scheduled)
        if not post.approved_hash or post.approved_hash != post.content_hash:
            raise InvalidTransition(
                "Die Freigabe gilt nicht für die aktuelle Fassung; bitte erneut prüfen lassen."
            )
        clinic = await session.get(Clinic, post.clinic_id)
        zone = clinic.timezone if clinic else "Europe/Berlin"
        moment = self._resolve(data, zone)
        if moment <= utc_now():
            raise Unprocessable(
                "Der Zeitpunkt liegt in der Vergangenheit.",
                errors=[
                    FieldError(
                        field="body.scheduled_local"
                        if data.scheduled_local
                        else "body.scheduled_at",
                        message="Der Zeitpunkt liegt in der Vergangenheit.",
                        type="in_past",
                    )
                ],
            )
        post.scheduled_at = moment
        transition(post, S.scheduled)
        await session.flush()
        publications = await plan_publications(session, post)
        await self._audit(
            session, subject, post, "post.scheduled",
            {"scheduled_at": moment.isoformat(), "publications": len(publications)},
        )  # fmt: skip
        return post

    def _resolve(self, data: ScheduleRequest, zone: str) -> datetime:
        if data.scheduled_at is not None:
            return data.scheduled_at.astimezone(UTC)
        assert data.scheduled_local is not None
        return resolve_local(data.scheduled_local, zone, data.fold, "body.scheduled_local")

    async def cancel(self, session: AsyncSession, subject: AuthSubject, post: Post) -> Post:
        self._require(subject, post, Permission.posts_write)
        previous = transition(post, S.cancelled)
        withdrawn = await cancel_publications(session, post)
        await _approvals().close_pending(session, post, RequestStatus.cancelled)
        await session.flush()
        await self._audit(
            session, subject, post, "post.cancelled",
            {"previous_status": previous.value, "publications_withdrawn": withdrawn},
        )  # fmt: skip
        return post

    async def duplicate(self, session: AsyncSession, subject: AuthSubject, post: Post) -> Post:
        self._require(subject, post, Permission.posts_write)
        copy = Post(
            organization_id=post.organization_id,
            clinic_id=post.clinic_id,
            title=f"Kopie von {post.title}"[:200],
            category=post.category,
            campaign=post.campaign,
            language=post.language,
            base_text=post.base_text,
            link_url=post.link_url,
            utm=dict(post.utm),
            shows_patient=post.shows_patient,
            created_by_id=subject.user.id,
        )
        session.add(copy)
        await session.flush()
        for variant in (
            await session.execute(select(PostVariant).where(col(PostVariant.post_id) == post.id))
        ).scalars():
            session.add(
                PostVariant(
                    post_id=copy.id,
                    channel_id=variant.channel_id,
                    text_override=variant.text_override,
                    options=dict(variant.options),
                )
            )
        for pm, _asset in await self._media(session, post):
            session.add(
                PostMedia(
                    post_id=copy.id,
                    media_id=pm.media_id,
                    position=pm.position,
                    alt_text=pm.alt_text,
                )
            )
        await session.flush()
        copy.content_hash = await self._content_hash(session, copy)
        await session.flush()
        await self._audit(session, subject, copy, "post.created", {"duplicated_from": str(post.id)})
        return copy

    # Composer ------------------------------------------------------------------------------
    async def preview(
        self, session: AsyncSession, subject: AuthSubject, data: PreviewRequest
    ) -> PreviewResult:
        """Pure: no row is written. Channels outside the caller's clinics are unknown."""
        channels = {
            c.id: c
            for c in (
                await session.execute(
                    select(Channel).where(
                        col(Channel.id).in_(data.channel_ids),
                        col(Channel.organization_id) == subject.organization_id,
                        or_(
                            col(Channel.clinic_id).in_(subject.clinic_ids(Permission.posts_read)),
                            col(Channel.clinic_id).is_(None),
                        ),
                    )
                )
            ).scalars()
        }
        missing = [i for i, cid in enumerate(data.channel_ids) if cid not in channels]
        if missing:
            raise Unprocessable(
                "Unbekannter Kanal.",
                errors=[
                    FieldError(
                        field=f"body.channel_ids.{i}",
                        message="Kein solcher Kanal.",
                        type="not_found",
                    )
                    for i in missing
                ],
            )
        link = tagged_link(data.link_url, data.utm.model_dump(exclude_none=True))
        targets: list[tuple[uuid.UUID | None, Platform]] = [
            (cid, channels[cid].platform) for cid in data.channel_ids
        ] + [(None, platform) for platform in data.platforms]
        checks = []
        for channel_id, platform in targets:
            text = data.overrides.get(channel_id, data.base_text) if channel_id else data.base_text
            report = validate_target(
                platform, text=text, link=link, language=data.language, media=[], options={}
            )
            checks.append(
                TargetCheck(
                    channel_id=channel_id,
                    platform=platform,
                    length=report.length,
                    limit=report.limit,
                    unit=report.unit,
                    issues=_issue_read(report),
                )
            )
        return PreviewResult(link=link, targets=checks)

    async def _audit(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        post: Post,
        action: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        await audit_service.record(
            session, action, subject=subject, clinic_id=post.clinic_id, target_type="post",
            target_id=post.id, details={"status": post.status.value, **(details or {})},
        )  # fmt: skip


post_service = PostService()
