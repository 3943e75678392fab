"""Demo data for the embedded default: a fictional hospital group with one user per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import audit_service
from app.auth.passwords import Passwords
from app.auth.permissions import Role
from app.config import Settings
from app.tenancy.models import Clinic, Organization, Region
from app.users.models import RoleAssignment, ScopeType, User

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
    await session.flush()
    await audit_service.record(
        session, "demo.seeded", organization_id=org.id, target_type="organization",
        target_id=org.id, details={"users": len(emails)},
    )  # fmt: skip
    return emails
