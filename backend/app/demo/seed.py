"""Demo data for the embedded default: a fictional hospital group with one user per role and,
with the built-in sandbox platform (``KLINIKFUNK_SANDBOX``), connected sandbox channels and a
few posts in several states."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.approvals.models import DecisionKind, ReviewKind
from app.approvals.schemas import DecisionCreate
from app.approvals.service import approval_service
from app.audit.service import audit_service
from app.auth.passwords import Passwords
from app.auth.permissions import Role
from app.auth.subject import AuthSubject, load_subject
from app.channels.models import Channel
from app.channels.service import store_credentials
from app.config import Settings
from app.connectors.base import Credentials, Platform
from app.consent.models import Consent, LegalBasis, SubjectKind
from app.consent.schemas import ConsentCreate
from app.consent.service import consent_service
from app.kit.time import utc_now
from app.posts.models import Post, PostCategory, PostStatus
from app.posts.schemas import PostCreate, ScheduleRequest, VariantInput
from app.posts.service import post_service
from app.tenancy.models import Clinic, Organization, Region
from app.users.models import RoleAssignment, ScopeType, User
from app.vault.service import SecretBox, keyring_from
from sandbox import demo as sandbox_demo

DOMAIN = "klinikfunk.example"


@dataclass(frozen=True)
class DemoUser:
    local: str
    name: str
    role: Role
    scope: str  # "org", a region key or a clinic key


DEMO_USERS = [
    DemoUser("admin", "Sabine Kramer", Role.admin, "org"),
    DemoUser("redaktion", "Jonas Becker", Role.editor, "org"),
    DemoUser("arzt", "Dr. med. Leonie Hartmann", Role.medical_reviewer, "org"),
    DemoUser("datenschutz", "Markus Vogel", Role.privacy_officer, "org"),
    DemoUser("kommunikation", "Claudia Neumann", Role.comms_lead, "org"),
    DemoUser("moderation", "Tim Schulz", Role.moderator, "musterstadt"),
    DemoUser("analyse", "Eva Lorenz", Role.analyst, "org"),
]


def demo_password(settings: Settings) -> str:
    """The configured demo password, else one generated once and kept in the data dir."""
    if settings.demo_password is not None:
        return settings.demo_password.get_secret_value()
    path = settings.data_dir / "demo_password"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(f"Musterland-{secrets.token_urlsafe(8)}")
    return path.read_text().strip()


async def has_data(session: AsyncSession) -> bool:
    return bool(
        (await session.execute(select(func.count()).select_from(Organization))).scalar_one()
    )


async def seed_demo(session: AsyncSession, settings: Settings, password: str) -> list[str]:
    """Create the demo organization; returns the demo e-mail addresses."""
    org = Organization(name="Klinikverbund Musterland", slug="musterland", timezone="Europe/Berlin")
    session.add(org)
    await session.flush()
    regions = {
        "nord": Region(organization_id=org.id, name="Region Nord"),
        "sued": Region(organization_id=org.id, name="Region Süd"),
    }
    session.add_all(regions.values())
    await session.flush()
    clinics = {
        "musterstadt": Clinic(organization_id=org.id, region_id=regions["nord"].id,
                              name="Klinikum Musterstadt", slug="musterstadt"),
        "nordheim": Clinic(organization_id=org.id, region_id=regions["nord"].id,
                           name="St.-Marien-Krankenhaus Nordheim", slug="nordheim"),
        "suedhausen": Clinic(organization_id=org.id, region_id=regions["sued"].id,
                             name="Fachklinik Südhausen", slug="suedhausen"),
    }  # fmt: skip
    session.add_all(clinics.values())
    await session.flush()
    password_hash = Passwords(settings).hash(password)
    emails = []
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        user = User(
            organization_id=org.id,
            email=f"{demo.local}@{DOMAIN}",
            full_name=demo.name,
            password_hash=password_hash,
        )
        session.add(user)
        await session.flush()
        if demo.scope == "org":
            scope_type, scope_id = ScopeType.organization, org.id
        elif demo.scope in regions:
            scope_type, scope_id = ScopeType.region, regions[demo.scope].id
        else:
            scope_type, scope_id = ScopeType.clinic, clinics[demo.scope].id
        session.add(
            RoleAssignment(
                user_id=user.id,
                organization_id=org.id,
                role=demo.role,
                scope_type=scope_type,
                scope_id=scope_id,
            )
        )
        emails.append(user.email)
        users[demo.local] = user
    await session.flush()
    details: dict[str, int] = {"users": len(emails)}
    if settings.sandbox_enabled:
        channels = await seed_sandbox_channels(session, settings, org, clinics, users["admin"])
        posts = await seed_posts(session, clinics, channels, users)
        consents = await seed_consents(session, clinics, channels, users)
        details |= {
            "channels": sum(len(c) for c in channels.values()),
            "posts": len(posts) + 1,
            "consents": len(consents),
        }
    await audit_service.record(
        session, "demo.seeded", organization_id=org.id, target_type="organization",
        target_id=org.id, details=details,
    )  # fmt: skip
    return emails


ChannelsByClinic = dict[str, dict[Platform, Channel]]


async def seed_sandbox_channels(
    session: AsyncSession,
    settings: Settings,
    org: Organization,
    clinics: dict[str, Clinic],
    connected_by: User,
) -> ChannelsByClinic:
    """Connected channels of the sandbox's fixed demo accounts (``sandbox.demo``), their tokens
    sealed with the vault: Klinikum Musterstadt on Mastodon, Facebook, Instagram and LinkedIn
    (with a refresh token), Nordheim on Facebook and Instagram, Südhausen on Mastodon. ``instance_url`` stays empty, so the
    Mastodon channels follow the sandbox URL of the current start (port changes included)."""
    box = SecretBox(keyring_from(settings))
    host = httpx.URL(settings.sandbox_url).host  # as a connect flow names it
    specs: list[tuple[str, Platform, str, str, str | None, str]] = []
    for account in sandbox_demo.MASTODON_ACCOUNTS:
        specs.append(
            (account.clinic, Platform.MASTODON, account.id, account.display_name,
             f"@{account.username}@{host}", account.token)
        )  # fmt: skip
    for page in sandbox_demo.PAGES:
        specs.append((page.clinic, Platform.FACEBOOK, page.id, page.name, None, page.token))
        if page.instagram_id and page.instagram_username:
            specs.append(
                (page.clinic, Platform.INSTAGRAM, page.instagram_id,
                 f"{page.instagram_username} (Instagram)", page.instagram_username, page.token)
            )  # fmt: skip
    linkedin = sandbox_demo.LINKEDIN_MEMBER
    for organization in sandbox_demo.LINKEDIN_ORGANIZATIONS:
        specs.append(
            (organization.clinic, Platform.LINKEDIN, organization.urn, organization.name,
             organization.vanity_name, linkedin.token)
        )  # fmt: skip
    result: ChannelsByClinic = {key: {} for key in clinics}
    now = utc_now()
    for clinic_key, platform, account_id, name, handle, token in specs:
        channel = Channel(
            organization_id=org.id,
            clinic_id=clinics[clinic_key].id,
            platform=platform,
            display_name=name,
            handle=handle,
            platform_account_id=account_id,
            connected_by_id=connected_by.id,
            last_checked_at=now,
        )
        session.add(channel)
        await session.flush()
        refresh = linkedin.refresh_token if platform is Platform.LINKEDIN else None
        await store_credentials(
            session, box, channel, Credentials(access_token=token, refresh_token=refresh)
        )
        await audit_service.record(
            session, "channel.connected", organization_id=org.id, actor_id=connected_by.id,
            clinic_id=channel.clinic_id, target_type="channel", target_id=channel.id,
            details={"platform": platform.value, "reconnect": False, "demo": True},
        )  # fmt: skip
        result[clinic_key][platform] = channel
    return result


@dataclass(frozen=True)
class DemoPost:
    clinic: str
    title: str
    category: PostCategory
    text: str
    platforms: tuple[Platform, ...]
    status: PostStatus
    link_url: str | None = None
    holding_statement: bool = False


DEMO_POSTS = [
    DemoPost(
        "musterstadt",
        "Grippeimpfung für Mitarbeitende",
        PostCategory.health_tip,
        "Ab Montag impft unser Betriebsärztlicher Dienst alle Mitarbeitenden gegen Grippe – "
        "ohne Termin, täglich von 8 bis 14 Uhr im Erdgeschoss von Haus B. #Grippeschutz",
        (Platform.MASTODON, Platform.FACEBOOK),
        PostStatus.draft,
    ),
    DemoPost(
        "nordheim",
        "Infoabend Geburtshilfe",
        PostCategory.event,
        "Werdende Eltern aufgepasst: Am ersten Mittwoch im Monat stellen unsere Hebammen und "
        "Ärztinnen die Geburtshilfe im St.-Marien-Krankenhaus vor. Beginn 18 Uhr, Anmeldung "
        "nicht nötig.",
        (Platform.FACEBOOK,),
        PostStatus.in_review,
        "https://www.example.org/geburtshilfe",
    ),
    DemoPost(
        "musterstadt",
        "Tag der offenen Tür",
        PostCategory.event,
        "Am Samstag öffnet das Klinikum Musterstadt seine Türen: Führungen durch OP und "
        "Notaufnahme, Blutdruckmessen und ein Programm für Kinder. Wir freuen uns auf Sie! "
        "#TagDerOffenenTür",
        (Platform.MASTODON, Platform.FACEBOOK),
        PostStatus.scheduled,
    ),
    DemoPost(
        "suedhausen",
        "Ausbildung Pflegefachfrau/-mann",
        PostCategory.jobs,
        "Ausbildung mit Zukunft: Zum 1. Oktober suchen wir Auszubildende in der Pflege. "
        "Bewerbungen bitte bis Ende Juni über unser Karriereportal. #Pflegeausbildung",
        (Platform.MASTODON,),
        PostStatus.approved,
    ),
    DemoPost(
        "musterstadt",
        "Hitzewelle: Tipps für ältere Menschen",
        PostCategory.health_tip,
        "Bei Hitze trinken ältere Menschen oft zu wenig. Stellen Sie Wasser sichtbar bereit, "
        "lüften Sie morgens und abends und meiden Sie die Mittagssonne. #Hitzeschutz",
        (Platform.MASTODON, Platform.FACEBOOK),
        PostStatus.in_review,
    ),
    DemoPost(
        "musterstadt",
        "Dark Site: Notaufnahme eingeschränkt",
        PostCategory.crisis,
        "Wichtiger Hinweis: Unsere Notaufnahme ist derzeit nur eingeschränkt erreichbar. In "
        "lebensbedrohlichen Notfällen wählen Sie bitte die 112. Aktuelle Informationen folgen "
        "hier.",
        (Platform.MASTODON, Platform.FACEBOOK),
        PostStatus.approved,
        holding_statement=True,
    ),
]


async def seed_posts(
    session: AsyncSession,
    clinics: dict[str, Clinic],
    channels: ChannelsByClinic,
    users: dict[str, User],
) -> list[Post]:
    """German demo posts through the posts service (written by the editor, approved step by
    step along each category's approval policy by the reviewers — four eyes): a draft, posts in
    review for the comms lead and the medical reviewer, approved ones (among them a dark-site
    statement for crises) and one scheduled for
    tomorrow 09:00 clinic time, so its publications exist and the worker publishes it to the
    sandbox then. Nothing is marked published without a real platform post behind it."""
    session_id = uuid.uuid4()  # seeding is no sign-in; the audit log keeps no session ids
    editor = await load_subject(session, users["redaktion"], session_id)
    reviewers = {
        ReviewKind.medical: await load_subject(session, users["arzt"], session_id),
        ReviewKind.privacy: await load_subject(session, users["datenschutz"], session_id),
        ReviewKind.comms: await load_subject(session, users["kommunikation"], session_id),
    }
    posts = []
    for spec in DEMO_POSTS:
        targets = channels[spec.clinic]
        post = await post_service.create(
            session,
            editor,
            PostCreate(
                clinic_id=clinics[spec.clinic].id,
                title=spec.title,
                category=spec.category,
                base_text=spec.text,
                link_url=spec.link_url,
                holding_statement=spec.holding_statement,
                variants=[VariantInput(channel_id=targets[p].id) for p in spec.platforms],
            ),
        )
        if spec.status is not PostStatus.draft:
            await post_service.submit(session, editor, post)
        while spec.status in (PostStatus.approved, PostStatus.scheduled) and (
            request := await approval_service.pending(session, post)
        ):
            # every step of the category's policy, each by a reviewer holding its permission
            reviewer = reviewers[request.current_review or ReviewKind.comms]
            decision = DecisionCreate(request_id=request.id, decision=DecisionKind.approve)
            await approval_service.decide(session, reviewer, post, decision)
        if spec.status is PostStatus.scheduled:
            zone = ZoneInfo(clinics[spec.clinic].timezone)
            tomorrow = datetime.now(zone).date() + timedelta(days=1)
            at = ScheduleRequest(scheduled_local=datetime.combine(tomorrow, time(9, 0)))
            await post_service.schedule(session, editor, post, at)
        posts.append(post)
    return posts


async def seed_consents(
    session: AsyncSession,
    clinics: dict[str, Clinic],
    channels: ChannelsByClinic,
    users: dict[str, User],
) -> list[Consent]:
    """Three consent records of Klinikum Musterstadt entered by the privacy officer — a
    patient's (one year), a guardian's for a child (ends in ten days: the 14-day warning) and an
    employee's (with its written document's reference) — and a patient story draft that relies
    on the first two. Labels only, no names."""
    session_id = uuid.uuid4()
    officer = await load_subject(session, users["datenschutz"], session_id)
    editor: AuthSubject = await load_subject(session, users["redaktion"], session_id)
    clinic = clinics["musterstadt"]
    targets = channels["musterstadt"]
    social = [targets[p].id for p in (Platform.MASTODON, Platform.FACEBOOK)]
    now = utc_now()
    specs = [
        ("Patient R., Kardiologie 2026", SubjectKind.patient, LegalBasis.dsgvo_art9_2a,
         now + timedelta(days=365), None, None),
        ("Kind L. (Kinderchirurgie), Einwilligung der Mutter", SubjectKind.guardian_for_minor,
         LegalBasis.kug_22, now + timedelta(days=10), None, "Mutter (sorgeberechtigt)"),
        ("Pflegekraft S., Station 4", SubjectKind.employee, LegalBasis.kug_22,
         None, "PA-2026-0413", "Pflegekraft S."),
    ]  # fmt: skip
    consents = []
    for label, kind, basis, until, reference, signer in specs:
        data = ConsentCreate(
            clinic_id=clinic.id, subject_label=label, subject_kind=kind, legal_basis=basis,
            channel_ids=social,
            categories=[PostCategory.patient_story, PostCategory.behind_the_scenes],
            valid_from=now - timedelta(days=7), valid_until=until,
            document_reference=reference, signer=signer,
        )  # fmt: skip
        consents.append(await consent_service.create(session, officer, data))
    story = await post_service.create(
        session,
        editor,
        PostCreate(
            clinic_id=clinic.id,
            title="Patientengeschichte: Zurück auf dem Fahrrad",
            category=PostCategory.patient_story,
            base_text="Drei Monate nach seiner Herz-OP fährt unser Patient wieder Rad – und "
            "bedankt sich beim Team der Kardiologie. Wir freuen uns mit ihm! #Herzgesundheit",
            shows_patient=True,
            variants=[VariantInput(channel_id=channel_id) for channel_id in social],
        ),
    )
    await post_service.set_consents(session, editor, story, [c.id for c in consents[:2]])
    return consents
