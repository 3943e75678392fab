"""The demo world: fixed sandbox accounts of the three demo clinics of "Klinikverbund
Musterland", with fixed ids and tokens.

The sandbox keeps its state in memory, so every start (and every `POST /_control/reset`) builds
this world again from these constants; the demo's channels, whose tokens the Klinikfunk demo
seed seals into its database, therefore keep working across restarts. Demo values only — they
open nothing but this sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.state import SandboxState

MASTODON_CLIENT_ID = "klinikfunk-demo-client"
MASTODON_CLIENT_SECRET = "klinikfunk-demo-secret"
"""The demo world's registered Mastodon app (the `/api/v1/apps` registration, done once)."""

CREATED_AT = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoMastodonAccount:
    clinic: str
    """The demo clinic's key (`musterstadt`, `nordheim`, `suedhausen`)."""
    id: str
    username: str
    display_name: str
    token: str


@dataclass(frozen=True)
class DemoPage:
    clinic: str
    id: str
    name: str
    token: str
    """The Page access token (Facebook and the linked Instagram account publish with it)."""
    instagram_id: str | None = None
    instagram_username: str | None = None


@dataclass(frozen=True)
class DemoLinkedInOrganization:
    clinic: str
    id: str
    """Numeric id; the channel's account id is the URN."""
    name: str
    vanity_name: str

    @property
    def urn(self) -> str:
        return f"urn:li:organization:{self.id}"


@dataclass(frozen=True)
class DemoLinkedInMember:
    id: str
    name: str
    token: str
    refresh_token: str


@dataclass(frozen=True)
class DemoGraphUser:
    id: str
    name: str
    token: str


MASTODON_ACCOUNTS = (
    DemoMastodonAccount(
        "musterstadt",
        "109000000000000001",
        "klinikum_musterstadt",
        "Klinikum Musterstadt",
        "mst-demo-klinikum-musterstadt",
    ),
    DemoMastodonAccount(
        "suedhausen",
        "109000000000000002",
        "fachklinik_suedhausen",
        "Fachklinik Südhausen",
        "mst-demo-fachklinik-suedhausen",
    ),
)

GRAPH_USER = DemoGraphUser(
    "200000000001", "Redaktion Klinikverbund Musterland", "EAAL-demo-redaktion"
)

PAGES = (
    DemoPage(
        "musterstadt",
        "200000000101",
        "Klinikum Musterstadt",
        "EAAP-demo-klinikum-musterstadt",
        "17841400900000101",
        "klinikum_musterstadt",
    ),
    DemoPage(
        "nordheim",
        "200000000102",
        "St.-Marien-Krankenhaus Nordheim",
        "EAAP-demo-st-marien-nordheim",
        "17841400900000102",
        "st_marien_nordheim",
    ),
)


LINKEDIN_MEMBER = DemoLinkedInMember(
    "sbxDemoRedaktion",
    "Redaktion Klinikverbund Musterland",
    "AQV-demo-redaktion-linkedin",
    "AQX-demo-redaktion-linkedin",
)

LINKEDIN_ORGANIZATIONS = (
    DemoLinkedInOrganization(
        "musterstadt", "90000101", "Klinikum Musterstadt", "klinikum-musterstadt"
    ),
)

LINKEDIN_SCOPES = ["r_organization_social", "w_organization_social", "rw_organization_admin"]


def seed_demo_world(state: SandboxState) -> None:
    """Put the demo accounts, Pages, Instagram accounts, tokens and the Mastodon app into a
    fresh state (ids far from the counter-generated ones, so they never collide)."""
    from sandbox.state import (
        GraphPage,
        GraphUser,
        LinkedInMember,
        LinkedInOrganization,
        MastodonAccount,
        MastodonApp,
        Token,
    )

    state.mastodon_apps[MASTODON_CLIENT_ID] = MastodonApp(
        client_id=MASTODON_CLIENT_ID,
        client_secret=MASTODON_CLIENT_SECRET,
        name="Klinikfunk (Demo)",
        redirect_uris=list(state.config.demo_redirect_uris),
        scopes=["read", "write", "profile"],
        website=None,
    )
    for account in MASTODON_ACCOUNTS:
        state.mastodon_accounts[account.id] = MastodonAccount(
            id=account.id,
            username=account.username,
            display_name=account.display_name,
            created_at=CREATED_AT,
        )
        state.tokens[account.token] = Token(
            value=account.token,
            kind="mastodon",
            subject_id=account.id,
            created_at=CREATED_AT,
            scopes=["read", "write", "profile"],
        )
    user = GraphUser(
        id=GRAPH_USER.id,
        name=GRAPH_USER.name,
        page_ids=[page.id for page in PAGES],
        permissions=[
            "pages_show_list",
            "pages_manage_posts",
            "pages_read_engagement",
            "pages_manage_engagement",
            "instagram_basic",
            "instagram_content_publish",
            "business_management",
        ],
    )
    state.graph_users[user.id] = user
    state.tokens[GRAPH_USER.token] = Token(
        value=GRAPH_USER.token,
        kind="graph_user_long",
        subject_id=user.id,
        created_at=CREATED_AT,
        scopes=list(user.permissions),
    )
    for page in PAGES:
        state.graph_pages[page.id] = GraphPage(
            id=page.id, name=page.name, access_token=page.token, instagram_id=page.instagram_id
        )
        state.tokens[page.token] = Token(
            value=page.token, kind="graph_page", subject_id=page.id, created_at=CREATED_AT
        )
        if page.instagram_id and page.instagram_username:
            state.ig_users[page.instagram_id] = page.instagram_username
    member = LinkedInMember(
        id=LINKEDIN_MEMBER.id,
        name=LINKEDIN_MEMBER.name,
        roles={org.id: "ADMINISTRATOR" for org in LINKEDIN_ORGANIZATIONS},
    )
    state.linkedin_members[member.id] = member
    for org in LINKEDIN_ORGANIZATIONS:
        state.linkedin_organizations[org.id] = LinkedInOrganization(
            org.id, org.name, org.vanity_name
        )
    for value, kind in (
        (LINKEDIN_MEMBER.token, "linkedin"),
        (LINKEDIN_MEMBER.refresh_token, "linkedin_refresh"),
    ):
        state.tokens[value] = Token(
            value=value,
            kind=kind,  # type: ignore[arg-type]
            subject_id=member.id,
            created_at=CREATED_AT,
            scopes=list(LINKEDIN_SCOPES),
        )
