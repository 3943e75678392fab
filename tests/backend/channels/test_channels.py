from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.sandbox import SandboxServer
from fixtures.world import ROLE_EMAILS, World, login
from sqlalchemy import select, text

from app.auth.permissions import Role
from app.channels import tasks
from app.channels.models import Channel, ChannelConnection, ChannelStatus, ConnectionStatus
from app.channels.service import account_for, store_credentials
from app.config import Settings
from app.connectors.base import Credentials, Platform
from app.kit.db import Database
from app.kit.time import utc_now
from app.vault.service import SecretBox, keyring_from
from app.worker.models import Job
from app.worker.runner import TaskContext

NON_ADMINS = [r for r in Role if r is not Role.admin]
BASE = "/api/v1/channels"


@pytest.fixture
def platforms(
    sandbox_server: SandboxServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> SandboxServer:
    """Point the connectors and the OAuth apps at the sandbox."""
    redirect = f"{settings.base_url}/api/v1/channels/callback/mastodon"
    app = httpx.post(
        f"{sandbox_server.mastodon_url}/api/v1/apps",
        data={"client_name": "Klinikfunk", "redirect_uris": redirect, "scopes": "read write"},
    ).json()
    apps = {sandbox_server.mastodon_url: {k: app[k] for k in ("client_id", "client_secret")}}
    for key, value in {
        "MASTODON_URL": sandbox_server.mastodon_url,
        "FACEBOOK_GRAPH_URL": sandbox_server.graph_url,
        "INSTAGRAM_GRAPH_URL": sandbox_server.graph_url,
        "META_APP_ID": "1234567890",
        "META_APP_SECRET": "sandbox-app-secret",
        "MASTODON_APPS": json.dumps(apps),
        "LINKEDIN_API_URL": sandbox_server.linkedin_url,
        "LINKEDIN_OAUTH_URL": sandbox_server.linkedin_url + "/oauth/v2",
        "LINKEDIN_WEB_URL": sandbox_server.linkedin_url,
        "LINKEDIN_CLIENT_ID": "sandbox-linkedin-client",
        "LINKEDIN_CLIENT_SECRET": "sandbox-linkedin-secret",
    }.items():
        monkeypatch.setenv(f"KLINIKFUNK_{key}", value)
    return sandbox_server


def ctx(database: Database, settings: Settings) -> TaskContext:
    return TaskContext(database=database, settings=settings, job_id=uuid.uuid4(), attempt=1)


async def admin(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    return await login(client, ROLE_EMAILS[Role.admin], world.password)


async def authorize(authorize_url: str) -> dict[str, str]:
    """The sandbox consents at once; its redirect carries code and state."""
    async with httpx.AsyncClient() as http:
        response = await http.get(authorize_url)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {"code": query["code"][0], "state": query["state"][0]}


async def start(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post(f"{BASE}/connect", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def connect_mastodon(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    clinic_id: uuid.UUID | None,
) -> dict[str, Any]:  # fmt: skip
    headers = await admin(client, world)
    started = await start(
        client, headers, platform="mastodon", clinic_id=str(clinic_id) if clinic_id else None
    )
    params = await authorize(started["authorize_url"])
    response = await client.get(f"{BASE}/callback/mastodon", params=params)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == (
        f"/einstellungen/kanaele?verbindung={started['connection_id']}"
    )
    await tasks.complete_connection(ctx(database, settings), connection_id=started["connection_id"])
    flow = await client.get(f"{BASE}/connections/{started['connection_id']}", headers=headers)
    assert flow.status_code == 200, flow.text
    result: dict[str, Any] = flow.json()
    return result


async def make_channel(
    database: Database, settings: Settings, world: World, clinic_id: uuid.UUID | None, name: str
) -> Channel:
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=world.org.id, clinic_id=clinic_id, platform=Platform.MASTODON,
            display_name=name, platform_account_id=uuid.uuid4().hex,
        )  # fmt: skip
        session.add(channel)
        await session.flush()
        box = SecretBox(keyring_from(settings))
        await store_credentials(session, box, channel, Credentials(access_token="geheim-" + name))
        return channel


class TestMastodonConnect:
    async def test_happy_path_creates_a_channel_with_sealed_token(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        flow = await connect_mastodon(client, database, settings, world, world.clinic_a.id)
        assert flow["status"] == "completed", flow
        [channel_id] = flow["channel_ids"]
        headers = await admin(client, world)
        channel = (await client.get(f"{BASE}/{channel_id}", headers=headers)).json()
        assert channel["platform"] == "mastodon"
        assert channel["status"] == "connected"
        assert channel["clinic_id"] == str(world.clinic_a.id)
        assert channel["handle"].startswith("@klinikum_nord@")
        assert not any("token" in key or "secret" in key for key in channel)
        async with database.session_scope() as session:
            stored = await session.get(Channel, uuid.UUID(channel_id))
            assert stored is not None
            account = await account_for(session, SecretBox(keyring_from(settings)), stored)
            assert stored.access_token_sealed is not None
            assert account.credentials.access_token not in stored.access_token_sealed
            dump = str((await session.execute(text("SELECT * FROM channels"))).all())
            assert account.credentials.access_token not in dump
            connection = (await session.execute(select(ChannelConnection))).scalar_one()
            assert connection.code_sealed is None
        # the sealed token really works against the platform
        async with httpx.AsyncClient() as http:
            me = await http.get(
                f"{platforms.mastodon_url}/api/v1/accounts/verify_credentials",
                headers={"Authorization": f"Bearer {account.credentials.access_token}"},
            )
        assert me.status_code == 200
        actions = await audit_actions(database)
        assert "channel.connect_started" in actions
        assert "channel.connected" in actions

    async def test_pkce_verifier_and_state_are_not_stored_in_plaintext(
        self, client: httpx.AsyncClient, database: Database, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        started = await start(client, await admin(client, world), platform="mastodon")
        state = parse_qs(urlsplit(started["authorize_url"]).query)["state"][0]
        async with database.session_scope() as session:
            dump = str((await session.execute(text("SELECT * FROM channel_connections"))).all())
        assert state not in dump
        assert "code_challenge=" in started["authorize_url"]


class TestFacebookConnect:
    async def test_happy_path_one_channel_per_page(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        headers = await admin(client, world)
        started = await start(client, headers, platform="facebook", clinic_id=None)
        assert "/dialog/oauth?" in started["authorize_url"]
        params = await authorize(started["authorize_url"])
        assert (await client.get(f"{BASE}/callback/facebook", params=params)).status_code == 303
        await tasks.complete_connection(
            ctx(database, settings), connection_id=started["connection_id"]
        )
        flow = (await client.get(f"{BASE}/connections/{started['connection_id']}", headers=headers)).json()  # fmt: skip
        assert flow["status"] == "completed", flow
        listed = (await client.get(BASE, params={"platform": "facebook"}, headers=headers)).json()
        assert [c["display_name"] for c in listed["items"]] == ["Klinikum Nord"]
        assert listed["items"][0]["clinic_id"] is None
        assert "access_token" not in json.dumps(listed)

    async def test_instagram_takes_the_linked_account(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        headers = await admin(client, world)
        started = await start(client, headers, platform="instagram")
        params = await authorize(started["authorize_url"])
        await client.get(f"{BASE}/callback/instagram", params=params)
        await tasks.complete_connection(
            ctx(database, settings), connection_id=started["connection_id"]
        )
        async with database.session_scope() as session:
            [channel] = (await session.execute(select(Channel))).scalars()
        assert channel.platform is Platform.INSTAGRAM
        assert channel.status is ChannelStatus.connected


async def connect_linkedin(
    client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
    clinic_id: uuid.UUID | None, member: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    headers = await admin(client, world)
    body: dict[str, Any] = {"platform": "linkedin"}
    if clinic_id:
        body["clinic_id"] = str(clinic_id)
    started = await start(client, headers, **body)
    url = started["authorize_url"] + (f"&sandbox_member={member}" if member else "")
    params = await authorize(url)
    assert (await client.get(f"{BASE}/callback/linkedin", params=params)).status_code == 303
    await tasks.complete_connection(ctx(database, settings), connection_id=started["connection_id"])
    flow = await client.get(f"{BASE}/connections/{started['connection_id']}", headers=headers)
    result: dict[str, Any] = flow.json()
    return result


class TestLinkedInConnect:
    async def test_one_channel_per_administered_organization(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        member = platforms.control.linkedin_member(
            "Redaktion",
            [{"name": "Klinikum Ost", "vanity_name": "klinikum-ost"},
             {"name": "Förderverein", "role": "ANALYST"}],
        )  # fmt: skip
        headers = await admin(client, world)
        started = await start(
            client, headers, platform="linkedin", clinic_id=str(world.clinic_a.id)
        )
        query = parse_qs(urlsplit(started["authorize_url"]).query)
        assert started["authorize_url"].startswith(
            f"{platforms.linkedin_url}/oauth/v2/authorization?"
        )
        assert "w_organization_social" in query["scope"][0]
        flow = await connect_linkedin(
            client, database, settings, world, world.clinic_a.id, member["member_id"]
        )
        assert flow["status"] == "completed", flow
        [channel_id] = flow["channel_ids"]
        channel = (await client.get(f"{BASE}/{channel_id}", headers=headers)).json()
        assert channel["platform"] == "linkedin"
        assert channel["display_name"] == "Klinikum Ost"
        assert channel["handle"] == "klinikum-ost"
        assert channel["platform_account_id"] == member["organizations"][0]["urn"]
        assert channel["authorization_expires_at"] is not None
        async with database.session_scope() as session:
            stored = await session.get(Channel, uuid.UUID(channel_id))
            assert stored is not None
            account = await account_for(session, SecretBox(keyring_from(settings)), stored)
            dump = str((await session.execute(text("SELECT * FROM channels"))).all())
        assert account.credentials.refresh_token
        assert account.credentials.access_token not in dump
        assert account.credentials.refresh_token not in dump

        # Reconnecting the same page updates the channel instead of adding one.
        again = await connect_linkedin(
            client, database, settings, world, world.clinic_a.id, member["member_id"]
        )
        assert again["channel_ids"] == [channel_id]

    async def test_member_without_admin_role_fails_the_flow(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        member = platforms.control.linkedin_member("Analyse", [{"name": "X", "role": "ANALYST"}])
        flow = await connect_linkedin(client, database, settings, world, None, member["member_id"])
        assert flow["status"] == "failed"
        assert "Administrator" in flow["failure_reason"]
        assert await count(database, Channel) == 0

    async def test_token_near_expiry_is_refreshed_and_revocation_needs_reconnect(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        flow = await connect_linkedin(client, database, settings, world, None)
        channel_id = uuid.UUID(flow["channel_ids"][0])
        box = SecretBox(keyring_from(settings))
        async with database.session_scope() as session:
            channel = await session.get(Channel, channel_id)
            assert channel is not None
            before = await account_for(session, box, channel)
            channel.token_expires_at = utc_now() + timedelta(days=3)
        await tasks.check_tokens(ctx(database, settings))
        async with database.session_scope() as session:
            channel = await session.get(Channel, channel_id)
            assert channel is not None
            after = await account_for(session, box, channel)
            assert channel.status is ChannelStatus.connected
            assert channel.token_expires_at is not None
            assert channel.token_expires_at > utc_now() + timedelta(days=59)
        assert after.credentials.access_token != before.credentials.access_token
        assert after.credentials.refresh_token == before.credentials.refresh_token

        # The member revoked the app: access and refresh token are dead.
        platforms.control.revoke_token(after.credentials.access_token)
        assert after.credentials.refresh_token is not None
        platforms.control.revoke_token(after.credentials.refresh_token)
        async with database.session_scope() as session:
            channel = await session.get(Channel, channel_id)
            assert channel is not None
            channel.last_checked_at = None
        await tasks.check_tokens(ctx(database, settings))
        async with database.session_scope() as session:
            channel = await session.get(Channel, channel_id)
            assert channel is not None
            assert channel.status is ChannelStatus.needs_reconnect
            assert "neu verbinden" in (channel.status_reason or "")


class TestCallbackState:
    async def test_unknown_state_is_refused(
        self, client: httpx.AsyncClient, database: Database, world: World, platforms: SandboxServer
    ) -> None:
        response = await client.get(
            f"{BASE}/callback/mastodon", params={"code": "x", "state": "erfunden"}
        )
        assert "Unbekannt" in assert_problem(response, 400)["detail"]
        assert await count(database, Job) == 0

    async def test_state_reuse_is_refused(
        self, client: httpx.AsyncClient, database: Database, world: World, platforms: SandboxServer
    ) -> None:
        started = await start(client, await admin(client, world), platform="mastodon")
        params = await authorize(started["authorize_url"])
        assert (await client.get(f"{BASE}/callback/mastodon", params=params)).status_code == 303
        again = await client.get(f"{BASE}/callback/mastodon", params=params)
        assert "schon verwendet" in assert_problem(again, 400)["detail"]
        assert await count(database, Job, Job.task == "channels.complete_connection") == 1

    async def test_expired_state_is_refused(
        self, client: httpx.AsyncClient, database: Database, world: World, platforms: SandboxServer
    ) -> None:
        started = await start(client, await admin(client, world), platform="mastodon")
        params = await authorize(started["authorize_url"])
        async with database.session_scope() as session:
            connection = await session.get(ChannelConnection, uuid.UUID(started["connection_id"]))
            assert connection is not None
            connection.expires_at = utc_now()
        response = await client.get(f"{BASE}/callback/mastodon", params=params)
        assert "abgelaufen" in assert_problem(response, 400)["detail"]
        assert await count(database, Job, Job.task == "channels.complete_connection") == 0

    async def test_state_of_another_platform_is_refused(
        self, client: httpx.AsyncClient, world: World, platforms: SandboxServer
    ) -> None:
        started = await start(client, await admin(client, world), platform="mastodon")
        params = await authorize(started["authorize_url"])
        assert_problem(await client.get(f"{BASE}/callback/facebook", params=params), 400)

    async def test_denied_consent_fails_the_flow(
        self, client: httpx.AsyncClient, world: World, platforms: SandboxServer
    ) -> None:
        headers = await admin(client, world)
        started = await start(client, headers, platform="mastodon")
        state = parse_qs(urlsplit(started["authorize_url"]).query)["state"][0]
        response = await client.get(
            f"{BASE}/callback/mastodon", params={"state": state, "error": "access_denied"}
        )
        assert response.status_code == 303
        flow = (await client.get(f"{BASE}/connections/{started['connection_id']}", headers=headers)).json()  # fmt: skip
        assert flow["status"] == "failed"
        assert flow["failure_reason"]


class TestBluesky:
    async def test_app_password_is_sealed_and_a_job_is_queued(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        started = await start(
            client, await admin(client, world), platform="bluesky",
            handle="klinik.bsky.social", app_password="abcd-efgh-ijkl-mnop",
        )  # fmt: skip
        assert started["authorize_url"] is None
        async with database.session_scope() as session:
            dump = str((await session.execute(text("SELECT * FROM channel_connections"))).all())
        assert "abcd-efgh-ijkl-mnop" not in dump
        assert await count(database, Job, Job.task == "channels.complete_connection") == 1


class TestPermissions:
    @pytest.mark.parametrize("role", NON_ADMINS, ids=lambda r: r.value)
    async def test_only_admins_connect_patch_and_delete(
        self, role: Role, client: httpx.AsyncClient, database: Database, settings: Settings,
        world: World, platforms: SandboxServer,
    ) -> None:  # fmt: skip
        channel = await make_channel(database, settings, world, world.clinic_a.id, "A")
        headers = await login(client, ROLE_EMAILS[role], world.password)
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("POST", f"{BASE}/connect", {"platform": "mastodon"}),
            ("PATCH", f"{BASE}/{channel.id}", {"display_name": "Neu"}),
            ("DELETE", f"{BASE}/{channel.id}", None),
            ("GET", f"{BASE}/connections/{uuid.uuid4()}", None),
        ]
        for method, path, body in calls:
            assert_problem(await client.request(method, path, json=body, headers=headers), 403)
        assert await count(database, ChannelConnection) == 0
        async with database.session_scope() as session:
            stored = await session.get(Channel, channel.id)
            assert stored is not None
            assert stored.display_name == "A"

    async def test_unauthenticated_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get(BASE), 401)


class TestClinicIsolation:
    async def test_moderator_of_a_never_sees_b(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        a = await make_channel(database, settings, world, world.clinic_a.id, "A")
        b = await make_channel(database, settings, world, world.clinic_b.id, "B")
        org = await make_channel(database, settings, world, None, "Verbund")
        headers = await login(client, ROLE_EMAILS[Role.moderator], world.password)
        listed = (await client.get(BASE, headers=headers)).json()
        assert [c["id"] for c in listed["items"]] == [str(a.id)]
        assert_problem(await client.get(f"{BASE}/{b.id}", headers=headers), 404)
        assert_problem(await client.get(f"{BASE}/{org.id}", headers=headers), 404)
        assert (await client.get(f"{BASE}/{a.id}", headers=headers)).status_code == 200
        filtered = await client.get(BASE, params={"clinic_id": str(b.id)}, headers=headers)
        assert filtered.json()["items"] == []

    async def test_other_organization_is_404_for_admin(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        async with database.session_scope() as session:
            foreign = Channel(
                organization_id=world.other_org.id, platform=Platform.MASTODON,
                display_name="Fremd", platform_account_id="1",
            )  # fmt: skip
            session.add(foreign)
        headers = await admin(client, world)
        assert_problem(await client.get(f"{BASE}/{foreign.id}", headers=headers), 404)
        assert_problem(await client.delete(f"{BASE}/{foreign.id}", headers=headers), 404)
        assert (await client.get(BASE, headers=headers)).json()["items"] == []

    async def test_admin_lists_all_and_pages(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        for name in ("A", "B", "C"):
            await make_channel(database, settings, world, world.clinic_a.id, name)
        headers = await admin(client, world)
        first = (await client.get(BASE, params={"limit": 2}, headers=headers)).json()
        assert len(first["items"]) == 2
        assert first["next_cursor"]
        rest = await client.get(
            BASE, params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
        )
        assert len(rest.json()["items"]) == 1


class TestUpdateAndDisconnect:
    async def test_patch_renames_and_moves_within_scope(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        channel = await make_channel(database, settings, world, world.clinic_a.id, "A")
        headers = await admin(client, world)
        response = await client.patch(
            f"{BASE}/{channel.id}",
            json={"display_name": "Klinikum A Social", "clinic_id": str(world.clinic_b.id)},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["clinic_id"] == str(world.clinic_b.id)
        assert "channel.updated" in await audit_actions(database)

    async def test_patch_to_foreign_clinic_is_422_and_writes_nothing(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        channel = await make_channel(database, settings, world, world.clinic_a.id, "A")
        headers = await admin(client, world)
        for body in (
            {"clinic_id": str(world.other_clinic.id)},
            {"display_name": ""},
            {"status": "connected"},
            {"access_token_sealed": "x"},
        ):
            response = await client.patch(f"{BASE}/{channel.id}", json=body, headers=headers)
            assert_problem(response, 422)
        async with database.session_scope() as session:
            stored = await session.get(Channel, channel.id)
            assert stored is not None
            assert (stored.display_name, stored.clinic_id) == ("A", world.clinic_a.id)
        assert "channel.updated" not in await audit_actions(database)

    async def test_delete_wipes_tokens_and_keeps_the_row(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        channel = await make_channel(database, settings, world, world.clinic_a.id, "A")
        headers = await admin(client, world)
        response = await client.delete(f"{BASE}/{channel.id}", headers=headers)
        assert response.status_code == 200
        assert response.json()["status"] == "disconnected"
        async with database.session_scope() as session:
            stored = await session.get(Channel, channel.id)
            assert stored is not None
            assert stored.access_token_sealed is None
            assert stored.refresh_token_sealed is None
        assert "channel.disconnected" in await audit_actions(database)

    async def test_patch_status_disconnected(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World
    ) -> None:
        channel = await make_channel(database, settings, world, None, "Verbund")
        headers = await admin(client, world)
        response = await client.patch(
            f"{BASE}/{channel.id}", json={"status": "disconnected"}, headers=headers
        )
        assert response.json()["status"] == "disconnected"


class TestConnectValidation:
    @pytest.mark.parametrize(
        "body",
        [
            {"platform": "x"},
            {"platform": "linkedin", "instance_url": "https://example.org"},
            {"platform": "bluesky", "handle": "x.bsky.social"},
            {"platform": "mastodon", "app_password": "x"},
            {"platform": "facebook", "instance_url": "https://example.org"},
            {"platform": "mastodon", "instance_url": "javascript:alert(1)"},
            {"platform": "mastodon", "unknown": 1},
        ],
    )
    async def test_bad_input_is_422_and_writes_nothing(
        self, body: dict[str, Any], client: httpx.AsyncClient, database: Database, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        headers = await admin(client, world)
        assert_problem(await client.post(f"{BASE}/connect", json=body, headers=headers), 422)
        assert await count(database, ChannelConnection) == 0

    async def test_foreign_clinic_is_422(
        self, client: httpx.AsyncClient, database: Database, world: World, platforms: SandboxServer
    ) -> None:
        headers = await admin(client, world)
        body = {"platform": "mastodon", "clinic_id": str(world.other_clinic.id)}
        assert_problem(await client.post(f"{BASE}/connect", json=body, headers=headers), 422)
        assert await count(database, ChannelConnection) == 0

    async def test_unregistered_mastodon_instance_is_409(
        self, client: httpx.AsyncClient, database: Database, world: World, platforms: SandboxServer
    ) -> None:
        headers = await admin(client, world)
        body = {"platform": "mastodon", "instance_url": "https://unbekannt.example"}
        assert_problem(await client.post(f"{BASE}/connect", json=body, headers=headers), 409)
        assert await count(database, ChannelConnection) == 0


class TestTokenHealth:
    async def test_expired_token_needs_reconnect(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        flow = await connect_mastodon(client, database, settings, world, world.clinic_a.id)
        channel_id = uuid.UUID(flow["channel_ids"][0])
        async with database.session_scope() as session:
            channel = await session.get(Channel, channel_id)
            assert channel is not None
            token = await account_for(session, SecretBox(keyring_from(settings)), channel)
            channel.last_checked_at = None
        platforms.control.expire_token(token.credentials.access_token)
        await tasks.check_tokens(ctx(database, settings))
        async with database.session_scope() as session:
            channel = await session.get(Channel, channel_id)
            assert channel is not None
            assert channel.status is ChannelStatus.needs_reconnect
            assert channel.status_reason
        assert "channel.needs_reconnect" in await audit_actions(database)

    async def test_valid_token_stays_connected(
        self, client: httpx.AsyncClient, database: Database, settings: Settings, world: World,
        platforms: SandboxServer,
    ) -> None:  # fmt: skip
        flow = await connect_mastodon(client, database, settings, world, None)
        async with database.session_scope() as session:
            channel = await session.get(Channel, uuid.UUID(flow["channel_ids"][0]))
            assert channel is not None
            channel.last_checked_at = None
        await tasks.check_tokens(ctx(database, settings))
        async with database.session_scope() as session:
            channel = await session.get(Channel, uuid.UUID(flow["channel_ids"][0]))
            assert channel is not None
            assert channel.status is ChannelStatus.connected
            assert channel.last_checked_at is not None


def test_connection_status_values() -> None:
    assert {s.value for s in ConnectionStatus} == {"pending", "completed", "failed"}
