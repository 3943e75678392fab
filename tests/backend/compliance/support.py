"""Set-up for the compliance tests: channels and images created directly, posts through the
API, one login per role."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fixtures.world import ROLE_EMAILS, World, login

from app.auth.permissions import Role
from app.channels.models import Channel, ChannelStatus
from app.connectors.base import Platform
from app.kit.db import Database
from app.posts.models import MediaAsset
from app.tenancy.models import Clinic

POSTS = "/api/v1/posts"
CHECK = "/api/v1/compliance/check"


async def add_channel(
    database: Database,
    clinic: Clinic,
    platform: Platform = Platform.MASTODON,
    *,
    name: str = "Mastodon A",
) -> uuid.UUID:
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=clinic.organization_id, clinic_id=clinic.id, platform=platform,
            display_name=name, platform_account_id=uuid.uuid4().hex,
            status=ChannelStatus.connected,
        )  # fmt: skip
        session.add(channel)
        await session.flush()
        return channel.id


async def add_image(database: Database, world: World, clinic: Clinic) -> uuid.UUID:
    async with database.session_scope() as session:
        asset = MediaAsset(
            organization_id=clinic.organization_id, clinic_id=clinic.id,
            uploaded_by_id=world.user(Role.editor).id, filename="foyer.jpg",
            content_type="image/jpeg", size_bytes=2048, width=64, height=48,
            sha256=uuid.uuid4().hex * 2, storage_key=f"test/{uuid.uuid4().hex}",
        )  # fmt: skip
        session.add(asset)
        await session.flush()
        return asset.id


class Api:
    """The world's users over the API."""

    def __init__(self, client: httpx.AsyncClient, world: World) -> None:
        self.client = client
        self.world = world
        self._headers: dict[str, dict[str, str]] = {}

    async def headers(self, who: Role | str) -> dict[str, str]:
        email = ROLE_EMAILS[who] if isinstance(who, Role) else who
        if email not in self._headers:
            self._headers[email] = await login(self.client, email, self.world.password)
        return self._headers[email]

    async def call(
        self, who: Role | str, method: str, path: str, json: Any = None
    ) -> httpx.Response:
        return await self.client.request(method, path, json=json, headers=await self.headers(who))

    async def create(self, channels: list[uuid.UUID], **fields: Any) -> dict[str, Any]:
        body = {
            "clinic_id": str(self.world.clinic_a.id),
            "title": "Geschichte",
            "category": "health_tip",
            "base_text": "Jetzt gegen Grippe impfen lassen.",
            "variants": [{"channel_id": str(c)} for c in channels],
            **fields,
        }
        response = await self.call(Role.editor, "POST", POSTS, body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def compliance(self, post_id: str, who: Role | str = Role.editor) -> dict[str, Any]:
        response = await self.call(who, "GET", f"{POSTS}/{post_id}/compliance")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def override(
        self, post_id: str, fingerprint: str, reason: str, who: Role | str = Role.privacy_officer
    ) -> httpx.Response:
        return await self.call(
            who, "POST", f"{POSTS}/{post_id}/compliance/overrides",
            {"fingerprint": fingerprint, "reason": reason},
        )  # fmt: skip


@pytest.fixture
def api(client: httpx.AsyncClient, world: World) -> Api:
    return Api(client, world)


def rules_of(result: dict[str, Any]) -> list[str]:
    return [f["rule"] for f in result["findings"]]
