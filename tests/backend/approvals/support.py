"""Posts, channels and extra users for the approval tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fixtures.approvals import Reviewers
from fixtures.consents import make_consent
from fixtures.world import World

from app.auth.permissions import Role
from app.channels.models import Channel, ChannelStatus
from app.connectors.base import Platform
from app.kit.db import Database
from app.users.models import RoleAssignment, ScopeType, User

POSTS = "/api/v1/posts"
POLICIES = "/api/v1/approval-policies"
QUEUE = "/api/v1/approvals/queue"


async def add_channel(database: Database, world: World, clinic_id: uuid.UUID) -> uuid.UUID:
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=world.org.id, clinic_id=clinic_id, platform=Platform.MASTODON,
            display_name=f"Mastodon {clinic_id.hex[:4]}", platform_account_id=uuid.uuid4().hex,
            status=ChannelStatus.connected,
        )  # fmt: skip
        session.add(channel)
        await session.flush()
        return channel.id


async def add_user(
    database: Database, world: World, role: Role, clinic_id: uuid.UUID | None, name: str
) -> str:
    """Another user of the organization with ``role`` for one clinic (or the organization)."""
    email = f"{name}@musterland.example"
    async with database.session_scope() as session:
        user = User(
            organization_id=world.org.id, email=email, full_name=name.title(),
            password_hash=world.user(Role.admin).password_hash,
        )  # fmt: skip
        session.add(user)
        await session.flush()
        session.add(
            RoleAssignment(
                user_id=user.id,
                organization_id=world.org.id,
                role=role,
                scope_type=ScopeType.clinic if clinic_id else ScopeType.organization,
                scope_id=clinic_id or world.org.id,
            )
        )
    return email


class Desk(Reviewers):
    """Writes posts as the editor and reviews them as the world's reviewers."""

    def __init__(self, client: httpx.AsyncClient, world: World, database: Database) -> None:
        super().__init__(client, world)
        self.database = database
        self.channels: dict[uuid.UUID, uuid.UUID] = {}

    async def submitted(
        self,
        category: str = "health_tip",
        *,
        clinic: str = "a",
        author: Role | str = Role.editor,
        text: str = "Jetzt gegen Grippe impfen lassen.",
    ) -> dict[str, Any]:
        clinic_id = self.world.clinic_a.id if clinic == "a" else self.world.clinic_b.id
        if clinic_id not in self.channels:
            self.channels[clinic_id] = await add_channel(self.database, self.world, clinic_id)
        headers = await self.headers(author)
        created = await self.client.post(
            POSTS,
            json={
                "clinic_id": str(clinic_id), "title": f"Beitrag {category}",
                "category": category, "base_text": text,
                "variants": [{"channel_id": str(self.channels[clinic_id])}],
            },
            headers=headers,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        if category == "patient_story":  # needs a valid consent to pass the compliance check
            clinic = self.world.clinic_a if clinic == "a" else self.world.clinic_b
            consent = await make_consent(self.database, self.world, clinic=clinic)
            linked = await self.client.put(
                f"{POSTS}/{created.json()['id']}/consents",
                json={"consent_ids": [str(consent.id)]},
                headers=headers,
            )
            assert linked.status_code == 200, linked.text
        submitted = await self.client.post(
            f"{POSTS}/{created.json()['id']}/submit", headers=headers
        )
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["status"] == "in_review"
        return dict(submitted.json())

    async def queue(self, who: Role | str, **params: Any) -> dict[str, Any]:
        response = await self.client.get(QUEUE, params=params, headers=await self.headers(who))
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def policy(
        self, steps: list[dict[str, Any]], category: str = "health_tip", clinic: Any = None,
        who: Role | str = Role.admin,
    ) -> httpx.Response:  # fmt: skip
        body = {"clinic_id": str(clinic) if clinic else None, "category": category,
                "steps": steps}  # fmt: skip
        return await self.client.post(POLICIES, json=body, headers=await self.headers(who))
