"""Shared set-up for publisher and crisis tests: channels on sandbox accounts with sealed
tokens, posts and publications created directly, and the publishing poller pointed at the
sandbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fixtures.sandbox import SandboxServer
from fixtures.world import World

from app.auth.passwords import Passwords
from app.auth.permissions import Role
from app.channels.models import Channel
from app.channels.service import store_credentials
from app.config import Settings
from app.connectors.base import Credentials, Platform
from app.kit.db import Database
from app.kit.time import utc_now
from app.posts.models import Post, PostCategory, PostStatus
from app.publishing.models import Publication, PublicationStatus
from app.publishing.publisher import close_shared_http
from app.publishing.tasks import publish_due
from app.tenancy.models import Clinic
from app.users.models import RoleAssignment, ScopeType, User
from app.vault.service import SecretBox, keyring_from
from app.worker.runner import PollContext


@pytest.fixture
async def publishing_env(
    sandbox_server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SandboxServer]:
    """Connector base URLs at the sandbox and a short read timeout (so ``hang`` is quick)."""
    monkeypatch.setenv("KLINIKFUNK_FACEBOOK_GRAPH_URL", sandbox_server.graph_url)
    monkeypatch.setenv("KLINIKFUNK_INSTAGRAM_GRAPH_URL", sandbox_server.graph_url)
    monkeypatch.setenv("KLINIKFUNK_LINKEDIN_API_URL", sandbox_server.linkedin_url)
    monkeypatch.setenv("KLINIKFUNK_LINKEDIN_WEB_URL", sandbox_server.linkedin_url)
    monkeypatch.setenv("KLINIKFUNK_REQUEST_TIMEOUT_SECONDS", "1.0")
    yield sandbox_server
    await close_shared_http()


@dataclass
class Target:
    channel: Channel
    platform: str
    account_id: str
    token: str


async def connect_mastodon(
    database: Database, settings: Settings, sandbox: SandboxServer, clinic: Clinic, name: str
) -> Target:
    seeded = sandbox.control.mastodon_account(name)
    channel = await _channel(
        database, settings, clinic, Platform.MASTODON, seeded["account_id"],
        seeded["access_token"], instance_url=sandbox.mastodon_url, name=name,
    )  # fmt: skip
    return Target(channel, "mastodon", seeded["account_id"], seeded["access_token"])


async def connect_facebook(
    database: Database, settings: Settings, sandbox: SandboxServer, clinic: Clinic
) -> Target:
    page = sandbox.control.graph_user()["pages"][0]
    channel = await _channel(
        database, settings, clinic, Platform.FACEBOOK, page["id"], page["access_token"],
        name="Klinikum",
    )  # fmt: skip
    return Target(channel, "facebook", page["id"], page["access_token"])


async def connect_linkedin(
    database: Database, settings: Settings, sandbox: SandboxServer, clinic: Clinic
) -> Target:
    member = sandbox.control.linkedin_member()
    org = member["organizations"][0]["urn"]
    channel = await _channel(
        database, settings, clinic, Platform.LINKEDIN, org, member["access_token"],
        name="Klinikum",
    )  # fmt: skip
    return Target(channel, "linkedin", org, member["access_token"])


async def _channel(
    database: Database,
    settings: Settings,
    clinic: Clinic,
    platform: Platform,
    account_id: str,
    token: str,
    *,
    name: str,
    instance_url: str | None = None,
) -> Channel:
    box = SecretBox(keyring_from(settings))
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=clinic.organization_id, clinic_id=clinic.id, platform=platform,
            display_name=name, handle=name, platform_account_id=account_id,
            instance_url=instance_url,
        )  # fmt: skip
        session.add(channel)
        await session.flush()
        await store_credentials(session, box, channel, Credentials(access_token=token))
    return channel


async def schedule(
    database: Database,
    world: World,
    target: Target,
    text: str,
    *,
    due_at: datetime | None = None,
    clinic: Clinic | None = None,
) -> Publication:
    """A scheduled post with one pending publication on ``target``."""
    due = due_at or utc_now() - timedelta(seconds=1)
    clinic = clinic or world.clinic_a
    async with database.session_scope() as session:
        post = Post(
            organization_id=world.org.id, clinic_id=clinic.id, title=text[:50],
            category=PostCategory.health_tip, base_text=text, scheduled_at=due,
            status=PostStatus.scheduled, created_by_id=world.user(Role.editor).id,
        )  # fmt: skip
        session.add(post)
        await session.flush()
        publication = Publication(
            post_id=post.id, channel_id=target.channel.id, organization_id=world.org.id,
            clinic_id=clinic.id, due_at=due, next_attempt_at=due,
        )  # fmt: skip
        session.add(publication)
    return publication


async def run_publisher(database: Database, settings: Settings, name: str = "worker-1") -> int:
    return await publish_due(PollContext(database, settings, name))


async def load(database: Database, publication_id: uuid.UUID) -> Publication:
    async with database.session_scope() as session:
        publication = await session.get(Publication, publication_id)
        assert publication is not None
        return publication


async def load_post(database: Database, post_id: uuid.UUID) -> Post:
    async with database.session_scope() as session:
        post = await session.get(Post, post_id)
        assert post is not None
        return post


async def make_due(database: Database, publication_id: uuid.UUID, **values: Any) -> None:
    """Let time pass: the publication's next attempt is now (other columns as given)."""
    async with database.session_scope() as session:
        publication = await session.get(Publication, publication_id)
        assert publication is not None
        publication.next_attempt_at = utc_now() - timedelta(seconds=1)
        for key, value in values.items():
            setattr(publication, key, value)


async def set_status(
    database: Database, publication_id: uuid.UUID, status: PublicationStatus, **values: Any
) -> None:
    await make_due(database, publication_id, status=status, **values)


async def clinic_user(
    database: Database, settings: Settings, world: World, role: Role, clinic: Clinic, email: str
) -> User:
    """A user holding ``role`` in one clinic only (the world's users are organization-wide)."""
    async with database.session_scope() as session:
        user = User(
            organization_id=world.org.id, email=email, full_name="Scoped",
            password_hash=Passwords(settings).hash(world.password),
        )  # fmt: skip
        session.add(user)
        await session.flush()
        session.add(
            RoleAssignment(
                user_id=user.id,
                organization_id=world.org.id,
                role=role,
                scope_type=ScopeType.clinic,
                scope_id=clinic.id,
            )
        )
    return user


def sandbox_posts(sandbox: SandboxServer, target: Target) -> list[dict[str, Any]]:
    return sandbox.control.posts(target.platform, target.account_id)


async def login_as(client: httpx.AsyncClient, world: World, email: str) -> dict[str, str]:
    from fixtures.world import login

    return await login(client, email, world.password)
