"""The compliance service: the text engine plus the rules that need stored facts (alt texts,
consent records, platform limits), with privacy officers' overrides applied.

Used on every save (``GET /posts/{id}/compliance``), at submit (blocks refuse the submission),
right before the worker publishes (the world may have changed: a consent withdrawn) and by
``POST /compliance/check`` for texts that are not stored (composer while typing, inbox replies,
other systems). One query set per post: variants with channels, media, staff names, consent
facts and overrides, whatever the number of findings.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from time import monotonic
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.channels.models import Channel
from app.compliance import engine
from app.compliance.consent_rules import ConsentFacts, consent_findings
from app.compliance.models import ComplianceOverride
from app.compliance.rules import RULES, RULESET_VERSION, overridable, platform_rule
from app.compliance.schemas import (
    CheckFinding,
    CheckRequest,
    CheckResult,
    OverrideCreate,
    OverrideInfo,
    OverrideRead,
    PostCompliance,
    PostFinding,
    RuleList,
    RuleRead,
    TargetKind,
)
from app.connectors.base import MediaItem, ValidationIssue
from app.consent.models import Consent, PostConsent
from app.kit.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    Unprocessable,
)
from app.kit.time import utc_now
from app.posts.models import MediaAsset, Post, PostMedia, PostVariant
from app.posts.states import EDITABLE
from app.posts.validation import tagged_link, validate_target
from app.users.models import User

Stage = Literal["save", "submit", "publish"]
_TARGET_ORDER: dict[str, int] = {"base": 0, "channel": 1, "media": 2, "post": 3}
_MIMES = {"image": "image/jpeg", "gif": "image/gif", "video": "video/mp4"}
ALT_TEXT_MESSAGE = (
    "Bild ohne Alternativtext: Bitte beschreiben, was zu sehen ist (Barrierefreiheit)."
)


# ---------- the consent seam ----------


def _facts(consent: Consent) -> ConsentFacts:
    return ConsentFacts(
        id=consent.id,
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        withdrawn_at=consent.withdrawn_at,
        channel_ids=frozenset(uuid.UUID(c) for c in consent.channel_ids),
        purposes=frozenset(consent.categories),
    )


async def load_consent_facts(session: AsyncSession, post: Post) -> list[ConsentFacts]:
    """The consent records linked to ``post``."""
    rows = await session.execute(
        select(Consent)
        .join(PostConsent, col(PostConsent.consent_id) == col(Consent.id))
        .where(col(PostConsent.post_id) == post.id)
        .order_by(col(Consent.id))
    )
    return [_facts(consent) for consent in rows.scalars()]


async def load_consent_facts_by_ids(
    session: AsyncSession, organization_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ConsentFacts]:
    """Consent records of the organization by id (unknown ids are absent), for the check API."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Consent).where(
            col(Consent.organization_id) == organization_id, col(Consent.id).in_(list(ids))
        )
    )
    return {consent.id: _facts(consent) for consent in rows.scalars()}


# ---------- findings with their place ----------


@dataclass(frozen=True, slots=True)
class Located:
    """A finding and where it is; ``covered`` is what an override is bound to."""

    rule: str
    severity: engine.Severity
    message: str
    target: TargetKind
    start: int | None = None
    end: int | None = None
    channel_id: uuid.UUID | None = None
    media_id: uuid.UUID | None = None
    covered: str = ""

    @property
    def where(self) -> str:
        if self.target == "channel":
            return f"channel:{self.channel_id}"
        if self.target == "media":
            return f"media:{self.media_id}"
        return self.target

    @property
    def fingerprint(self) -> str:
        """rule + which text + the covered words: stable across unrelated edits (offsets are
        not part of it), new as soon as the overridden words change."""
        raw = "\x1f".join((self.rule, self.where, self.covered))
        return hashlib.sha256(raw.encode()).hexdigest()


def text_findings(
    text: str,
    target: TargetKind,
    *,
    channel_id: uuid.UUID | None = None,
    kind: engine.Kind = "post",
    language: str | None,
    category: str | None,
    allow: engine.AllowList,
) -> list[Located]:
    found = engine.check_text(text, kind=kind, language=language, category=category, allow=allow)
    return [
        Located(
            f.rule,
            f.severity,
            f.message,
            target,
            f.start,
            f.end,
            channel_id,
            covered=text[f.start : f.end] if f.start is not None and f.end is not None else text,
        )
        for f in found
    ]


def platform_findings(issues: Sequence[ValidationIssue], channel_id: uuid.UUID) -> list[Located]:
    return [
        Located(
            platform_rule(issue.code),
            "block" if issue.blocking else "warn",
            issue.message,
            "channel",
            channel_id=channel_id,
            covered=f"{issue.field}:{issue.code}",
        )
        for issue in issues
        if issue.code != "alt_text_missing"  # a11y.alt_text
    ]


def _consent_located(
    post: Post,
    instant: datetime,
    channel_ids: Sequence[uuid.UUID],
    consents: Sequence[ConsentFacts],
) -> list[Located]:
    found = []
    for c in consent_findings(
        category=post.category.value, shows_patient=post.shows_patient, scheduled_at=instant,
        target_channel_ids=list(channel_ids), consents=consents,
    ):  # fmt: skip
        where: TargetKind = "channel" if c.channel_id else "post"
        found.append(
            Located(c.rule, c.severity, c.message, where, channel_id=c.channel_id, covered=c.key)
        )
    return found


@dataclass(frozen=True, slots=True)
class PublishFacts:
    """What the publish-time check needs besides the post, loaded once for a worker's batch:
    the linked consents and the overridden fingerprints per post, the allow-list per
    organization."""

    consents: dict[uuid.UUID, list[ConsentFacts]]
    overridden: dict[uuid.UUID, frozenset[str]]
    allow: dict[uuid.UUID, engine.AllowList]


def _sorted(findings: list[Located]) -> list[Located]:
    return sorted(
        findings,
        key=lambda f: (
            _TARGET_ORDER[f.target], str(f.channel_id or ""), str(f.media_id or ""),
            f.start if f.start is not None else 1 << 30, f.rule,
        ),
    )  # fmt: skip


def blocked_message(findings: Sequence[Located]) -> str:
    """The publication's readable reason when the publish-time check stops it."""
    rules = ", ".join(dict.fromkeys(f.rule for f in findings))
    first = findings[0].message if findings else ""
    return (
        f"Nicht veröffentlicht: Die Prüfung unmittelbar vor der Veröffentlichung hat "
        f"blockierende Befunde ergeben ({rules}). {first} Bitte den Beitrag prüfen und neu "
        "einplanen; eine Freigabe durch den Datenschutz ist nur mit Begründung möglich."
    )


ALLOW_LIST_TTL_SECONDS = 60.0
"""How long the worker reuses an organization's allow-list (staff names) between publications."""


class ComplianceService:
    def __init__(self) -> None:
        self._allow_cache: dict[uuid.UUID, tuple[float, engine.AllowList]] = {}

    # ----- stored posts -----

    async def allow_list(
        self, session: AsyncSession, organization_id: uuid.UUID, *, cached: bool = False
    ) -> engine.AllowList:
        """The organization's facts that are never personal data. The tenancy model has no
        phone numbers or addresses yet: staff names only. ``cached``: the worker's publish-time
        check reuses the list for ``ALLOW_LIST_TTL_SECONDS`` (a name added a minute ago only
        matters for names without patient context, which never block anyway)."""
        if cached and (hit := self._allow_cache.get(organization_id)) and hit[0] > monotonic():
            return hit[1]
        names = (
            await session.execute(
                select(col(User.full_name))
                .where(col(User.organization_id) == organization_id, col(User.is_active).is_(True))
                .distinct()
            )
        ).scalars()
        allow = engine.AllowList(staff_names=frozenset(names))
        self._allow_cache[organization_id] = (monotonic() + ALLOW_LIST_TTL_SECONDS, allow)
        return allow

    async def findings(
        self,
        session: AsyncSession,
        post: Post,
        *,
        stage: Stage,
        channel_id: uuid.UUID | None = None,
    ) -> list[Located]:
        """Every finding of ``post`` (only those reaching ``channel_id`` when given). At
        ``publish`` the platform limits are the connector's business and consent is judged
        now, otherwise at the scheduled time (or now when unscheduled)."""
        statement = (
            select(PostVariant, Channel)
            .join(Channel, col(Channel.id) == col(PostVariant.channel_id))
            .where(col(PostVariant.post_id) == post.id)
        )
        if channel_id is not None:
            statement = statement.where(col(PostVariant.channel_id) == channel_id)
        variants = list((await session.execute(statement)).all())
        media = list(
            (
                await session.execute(
                    select(PostMedia, MediaAsset)
                    .join(MediaAsset, col(MediaAsset.id) == col(PostMedia.media_id))
                    .where(col(PostMedia.post_id) == post.id)
                    .order_by(col(PostMedia.position))
                )
            ).all()
        )
        allow = await self.allow_list(session, post.organization_id, cached=stage == "publish")
        category = post.category.value
        found: list[Located] = []
        own = {
            channel.id: variant.text_override
            for variant, channel in variants
            if variant.text_override and variant.text_override != post.base_text
        }
        texts: list[tuple[str, TargetKind, uuid.UUID | None]] = [
            (text, "channel", cid) for cid, text in own.items()
        ]
        if channel_id is None or not own:
            texts.insert(0, (post.base_text, "base", None))
        for text, kind, cid in texts:
            found += text_findings(
                text, kind, channel_id=cid, language=post.language, category=category,
                allow=allow,
            )  # fmt: skip
        found += [
            Located("a11y.alt_text", "block", ALT_TEXT_MESSAGE, "media", media_id=pm.media_id)
            for pm, _asset in media
            if not pm.alt_text.strip()
        ]
        if stage != "publish":
            items = [
                MediaItem(
                    kind="gif" if asset.content_type == "image/gif" else "image",
                    url="",
                    mime=asset.content_type,
                    size_bytes=asset.size_bytes,
                    alt_text=pm.alt_text,
                )
                for pm, asset in media
            ]
            link = tagged_link(post.link_url, post.utm)
            for variant, channel in variants:
                report = validate_target(
                    channel.platform, text=variant.text_override or post.base_text, link=link,
                    language=post.language, media=items, options=variant.options,
                )  # fmt: skip
                found += platform_findings(report.issues, channel.id)
        now = utc_now()
        instant = now if stage == "publish" else (post.scheduled_at or now)
        consents = await load_consent_facts(session, post)
        found += _consent_located(post, instant, [channel.id for _v, channel in variants], consents)
        return _sorted(found)

    async def check_post(
        self,
        session: AsyncSession,
        post: Post,
        *,
        stage: Stage,
        channel_id: uuid.UUID | None = None,
    ) -> PostCompliance:
        found = await self.findings(session, post, stage=stage, channel_id=channel_id)
        rows = await session.execute(
            select(ComplianceOverride, col(User.full_name))
            .join(User, col(User.id) == col(ComplianceOverride.created_by_id))
            .where(
                col(ComplianceOverride.post_id) == post.id,
                col(ComplianceOverride.revoked_at).is_(None),
            )
        )
        overrides = {
            o.fingerprint: OverrideInfo(
                id=o.id, by_id=o.created_by_id, by_name=name, reason=o.reason, at=o.created_at
            )
            for o, name in rows.all()
        }
        findings = []
        for f in found:
            may = overridable(f.rule) and f.severity == "block"
            findings.append(
                PostFinding(
                    rule=f.rule, severity=f.severity, message=f.message, start=f.start,
                    end=f.end, target=f.target, channel_id=f.channel_id, media_id=f.media_id,
                    fingerprint=f.fingerprint, overridable=may,
                    overridden=overrides.get(f.fingerprint) if may else None,
                )
            )  # fmt: skip
        blocking = sum(1 for f in findings if f.severity == "block" and f.overridden is None)
        return PostCompliance(
            post_id=post.id, ruleset_version=RULESET_VERSION, blocking=blocking, findings=findings
        )

    async def ensure_submittable(self, session: AsyncSession, post: Post) -> None:
        """422 listing every block finding that no privacy officer has overridden."""
        result = await self.check_post(session, post, stage="submit")
        blocks = [f for f in result.findings if f.severity == "block" and f.overridden is None]
        if not blocks:
            return
        count = (
            "Ein Compliance-Befund blockiert"
            if len(blocks) == 1
            else f"{len(blocks)} Compliance-Befunde blockieren"
        )
        raise Unprocessable(
            f"{count} die Einreichung. Bitte den Beitrag ändern oder – wo möglich – eine "
            "begründete Freigabe durch den Datenschutz einholen.",
            errors=[FieldError(field=_field(f), message=f.message, type=f.rule) for f in blocks],
        )

    async def publish_facts(self, session: AsyncSession, posts: Sequence[Post]) -> PublishFacts:
        """The facts for :meth:`publish_blockers` of every post of a worker's batch (three
        queries, however many posts)."""
        ids = list({p.id for p in posts})
        consents: dict[uuid.UUID, list[ConsentFacts]] = {}
        overridden: dict[uuid.UUID, set[str]] = {}
        if ids:
            for post_id, consent in await session.execute(
                select(col(PostConsent.post_id), Consent)
                .join(Consent, col(Consent.id) == col(PostConsent.consent_id))
                .where(col(PostConsent.post_id).in_(ids))
                .order_by(col(Consent.id))
            ):
                consents.setdefault(post_id, []).append(_facts(consent))
            for post_id, fingerprint in await session.execute(
                select(col(ComplianceOverride.post_id), col(ComplianceOverride.fingerprint)).where(
                    col(ComplianceOverride.post_id).in_(ids),
                    col(ComplianceOverride.revoked_at).is_(None),
                )
            ):
                overridden.setdefault(post_id, set()).add(fingerprint)
        allow = {
            org: await self.allow_list(session, org, cached=True)
            for org in {p.organization_id for p in posts}
        }
        return PublishFacts(consents, {k: frozenset(v) for k, v in overridden.items()}, allow)

    def publish_blockers(
        self,
        facts: PublishFacts,
        post: Post,
        channel_id: uuid.UUID,
        *,
        text_override: str | None,
        media: Sequence[tuple[uuid.UUID, str]],
    ) -> list[Located]:
        """The block findings nobody overrode of ``post`` on ``channel_id`` right now (the
        text that goes out there, its images' alt texts, its consents judged now) — the same
        rules as :meth:`check_post` at the ``publish`` stage, on facts loaded per batch."""
        allow = facts.allow[post.organization_id]
        language, category = post.language, post.category.value
        if text_override and text_override != post.base_text:
            found = text_findings(
                text_override, "channel", channel_id=channel_id, language=language,
                category=category, allow=allow,
            )  # fmt: skip
        else:
            found = text_findings(
                post.base_text, "base", language=language, category=category, allow=allow
            )
        found += [
            Located("a11y.alt_text", "block", ALT_TEXT_MESSAGE, "media", media_id=media_id)
            for media_id, alt_text in media
            if not alt_text.strip()
        ]
        found += _consent_located(post, utc_now(), [channel_id], facts.consents.get(post.id, []))
        overridden = facts.overridden.get(post.id, frozenset())
        return [
            f
            for f in _sorted(found)
            if f.severity == "block" and not (overridable(f.rule) and f.fingerprint in overridden)
        ]

    # ----- overrides -----

    async def override(
        self, session: AsyncSession, subject: AuthSubject, post: Post, data: OverrideCreate
    ) -> ComplianceOverride:
        self._require_override(subject, post)
        if post.status not in EDITABLE:
            raise InvalidTransition("Für diesen Beitrag sind keine Freigaben mehr möglich.")
        result = await self.check_post(session, post, stage="save")
        finding = next((f for f in result.findings if f.fingerprint == data.fingerprint), None)
        field = "body.fingerprint"
        if finding is None:
            raise Unprocessable(
                "Diesen Befund gibt es beim Beitrag nicht (mehr).",
                errors=[FieldError(field=field, message="Kein solcher Befund.", type="not_found")],
            )
        if not finding.overridable:
            message = (
                "Nur blockierende Befunde aus Text- und Einwilligungsprüfung können freigegeben "
                "werden; dieser muss im Beitrag behoben werden."
            )
            raise Unprocessable(
                message, errors=[FieldError(field=field, message=message, type="not_overridable")]
            )
        if finding.overridden is not None:
            raise Conflict("Dieser Befund ist bereits freigegeben.")
        located = await self._located(session, post, data.fingerprint)
        row = ComplianceOverride(
            organization_id=post.organization_id, clinic_id=post.clinic_id, post_id=post.id,
            rule=finding.rule, target=located, fingerprint=data.fingerprint, reason=data.reason,
            content_version=post.content_version, created_by_id=subject.user.id,
        )  # fmt: skip
        session.add(row)
        await session.flush()
        await audit_service.record(
            session, "compliance.override_created", subject=subject, clinic_id=post.clinic_id,
            target_type="post", target_id=post.id,
            details={"override_id": str(row.id), "rule": row.rule, "target": row.target,
                     "fingerprint": row.fingerprint, "reason_length": len(row.reason),
                     "content_version": post.content_version},
        )  # fmt: skip
        return row

    async def revoke(
        self, session: AsyncSession, subject: AuthSubject, post: Post, override_id: uuid.UUID
    ) -> None:
        self._require_override(subject, post)
        row = (
            await session.execute(
                select(ComplianceOverride).where(
                    col(ComplianceOverride.id) == override_id,
                    col(ComplianceOverride.post_id) == post.id,
                    col(ComplianceOverride.revoked_at).is_(None),
                )
            )
        ).scalar_one_or_none()
        if row is None:
            raise NotFound("No such override.")
        row.revoked_at = utc_now()
        row.revoked_by_id = subject.user.id
        session.add(row)
        await session.flush()
        await audit_service.record(
            session, "compliance.override_revoked", subject=subject, clinic_id=post.clinic_id,
            target_type="post", target_id=post.id,
            details={"override_id": str(row.id), "rule": row.rule, "fingerprint": row.fingerprint},
        )  # fmt: skip

    def _require_override(self, subject: AuthSubject, post: Post) -> None:
        perms = subject.clinic_permissions.get(post.clinic_id, frozenset())
        if Permission.compliance_override not in perms:
            raise Forbidden("Befunde freigeben darf nur der Datenschutz dieser Klinik.")

    async def _located(self, session: AsyncSession, post: Post, fingerprint: str) -> str:
        found = await self.findings(session, post, stage="save")
        return next(f.where for f in found if f.fingerprint == fingerprint)

    @staticmethod
    def override_read(row: ComplianceOverride) -> OverrideRead:
        return OverrideRead.model_validate(row)

    # ----- texts that are not stored -----

    async def check(
        self, session: AsyncSession, subject: AuthSubject, data: CheckRequest
    ) -> CheckResult:
        """Pure: nothing is written. Channels and consents outside the caller's scope are
        unknown (422)."""
        clinics = subject.clinic_ids(Permission.posts_write) | subject.clinic_ids(
            Permission.inbox_work
        )
        channels = {
            c.id: c
            for c in (
                await session.execute(
                    select(Channel).where(
                        col(Channel.id).in_(data.channels),
                        col(Channel.organization_id) == subject.organization_id,
                        or_(col(Channel.clinic_id).in_(clinics), col(Channel.clinic_id).is_(None)),
                    )
                )
            ).scalars()
        }
        errors = [
            FieldError(field=f"body.channels.{i}", message="Kein solcher Kanal.", type="not_found")
            for i, cid in enumerate(data.channels)
            if cid not in channels
        ]
        consents = await load_consent_facts_by_ids(
            session, subject.organization_id, data.consent_ids
        )
        errors += [
            FieldError(
                field=f"body.consent_ids.{i}",
                message="Keine solche Einwilligung.",
                type="not_found",
            )
            for i, cid in enumerate(data.consent_ids)
            if cid not in consents
        ]
        if errors:
            raise Unprocessable("Unbekannter Kanal oder unbekannte Einwilligung.", errors=errors)
        category = data.category.value if data.category else None
        allow = await self.allow_list(session, subject.organization_id)
        found = [
            CheckFinding(
                rule=f.rule, severity=f.severity, message=f.message, start=f.start, end=f.end
            )
            for f in engine.check_text(
                data.text, kind=data.kind, language=data.language, category=category, allow=allow
            )
        ]
        found += [
            CheckFinding(
                rule="a11y.alt_text", severity="block", message=ALT_TEXT_MESSAGE, media_index=i
            )
            for i, item in enumerate(data.media)
            if not (item.alt_text or "").strip()
        ]
        items = [
            MediaItem(kind=m.kind, url="", mime=_MIMES[m.kind], size_bytes=0, alt_text=m.alt_text)
            for m in data.media
        ]
        for cid in dict.fromkeys(data.channels):
            report = validate_target(
                channels[cid].platform, text=data.text, link=None, language=data.language,
                media=items, options={},
            )  # fmt: skip
            found += [
                CheckFinding(rule=f.rule, severity=f.severity, message=f.message, channel_id=cid)
                for f in platform_findings(report.issues, cid)
            ]
        if data.kind == "post":
            shows_patient = data.shows_patient or any("patient" in m.tags for m in data.media)
            found += [
                CheckFinding(
                    rule=c.rule, severity=c.severity, message=c.message, channel_id=c.channel_id
                )
                for c in consent_findings(
                    category=category,
                    shows_patient=shows_patient,
                    scheduled_at=data.scheduled_at or utc_now(),
                    target_channel_ids=list(dict.fromkeys(data.channels)),
                    consents=list(consents.values()),
                )
            ]
        return CheckResult(findings=found, ruleset_version=RULESET_VERSION)

    def rules(self) -> RuleList:
        return RuleList(
            ruleset_version=RULESET_VERSION,
            items=[
                RuleRead(
                    rule=r.id,
                    severity=r.severity,
                    overridable=r.overridable,
                    family=r.family,
                    description_de=r.description_de,
                    description_en=r.description_en,
                )
                for r in RULES.values()
            ],
        )


def _field(finding: PostFinding) -> str:
    if finding.target == "channel":
        return f"compliance.channels.{finding.channel_id}"
    if finding.target == "media":
        return f"compliance.media.{finding.media_id}"
    return "compliance.base_text" if finding.target == "base" else "compliance.post"


compliance_service = ComplianceService()
