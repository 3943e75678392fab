"""Holding statements ("dark site"): approved crisis posts kept unscheduled, published by a comms
lead during a crisis in one action and let through by the worker, while everything else in
scope stays paused."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.sandbox import SandboxServer
from fixtures.world import OTHER_ADMIN, World
from publishing.support import (
    Target,
    clinic_user,
    connect_mastodon,
    load,
    load_post,
    login_as,
    publishing_env,
    run_publisher,
    sandbox_posts,
    schedule,
)
from sqlalchemy import select

from app.auth.permissions import Role
from app.channels.models import Channel, ChannelStatus
from app.config import Settings
from app.crisis.models import CrisisMode
from app.crisis.scope import CrisisCheck
from app.kit.db import Database
from app.kit.time import utc_now
from app.posts.models import Post, PostCategory, PostStatus, PostVariant
from app.posts.service import post_service
from app.publishing.models import Publication
from app.publishing.models import PublicationStatus as S
from app.tenancy.models import Clinic
from app.users.models import ScopeType

__all__ = ["publishing_env"]
COMMS = "kommunikation@musterland.example"
EDITOR = "redaktion@musterland.example"
MODERATOR = "moderation@musterland.example"
LIST = "/api/v1/crisis/holding-statements"
PUBLISH = "/api/v1/crisis/holding-statements/publish"


async def holding_post(
    database: Database,
    world: World,
    target: Target,
    text: str,
    *,
    clinic: Clinic | None = None,
    status: PostStatus = PostStatus.approved,
    category: PostCategory = PostCategory.crisis,
    flag: bool = True,
) -> Post:
    """A crisis post prepared and approved in advance, with one target channel."""
    clinic = clinic or world.clinic_a
    async with database.session_scope() as session:
        post = Post(
            organization_id=world.org.id, clinic_id=clinic.id, title=text[:50], category=category,
            base_text=text, status=status, holding_statement=flag, created_by_id=world.user(Role.editor).id,
            approved_by_id=world.user(Role.comms_lead).id if status is PostStatus.approved else None,
        )  # fmt: skip
        session.add(post)
        await session.flush()
        session.add(PostVariant(post_id=post.id, channel_id=target.channel.id))
        await session.flush()
        post.content_hash = await post_service._content_hash(session, post)
        if status is PostStatus.approved:
            post.approved_hash = post.content_hash
    return post


async def start_crisis(
    client: httpx.AsyncClient, world: World, clinic: Clinic | None = None
) -> dict[str, Any]:
    body = {"scope_type": "clinic", "scope_id": str((clinic or world.clinic_a).id),
            "reason": "Brand im Nordflügel"}  # fmt: skip
    response = await client.post(
        "/api/v1/crisis", json=body, headers=await login_as(client, world, COMMS)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


class TestPublishHoldingStatements:
    async def test_goes_out_once_while_everything_else_in_scope_stays_paused(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
        other = await schedule(database, world, a, "Tag der offenen Tür")
        statement = await holding_post(database, world, a, "Wir informieren laufend hier.")
        crisis = await start_crisis(client, world)
        assert (await load(database, other.id)).status is S.paused
        comms = await login_as(client, world, COMMS)

        listed = (await client.get(LIST, headers=comms)).json()["items"]
        assert [(i["id"], i["ready"], i["problems"]) for i in listed] == [
            (str(statement.id), True, [])
        ]
        assert listed[0]["channels"][0]["connected"] is True

        response = await client.post(PUBLISH, json={"post_ids": [str(statement.id)]}, headers=comms)
        assert response.status_code == 200, response.text
        [item] = response.json()["items"]
        assert item["status"] == "scheduled"
        assert [p["status"] for p in item["publications"]] == ["pending"]
        async with database.session_scope() as session:
            [released] = (
                await session.execute(
                    select(Publication).where(Publication.post_id == statement.id)
                )
            ).scalars()
        assert released.crisis_release_id == uuid.UUID(crisis["id"])

        for _ in range(2):
            await run_publisher(database, settings)
        posts = sandbox_posts(publishing_env, a)
        assert len(posts) == 1
        assert "Wir informieren laufend hier." in str(posts[0])
        assert (await load(database, released.id)).status is S.published
        assert (await load_post(database, statement.id)).status is PostStatus.published
        assert (await load(database, other.id)).status is S.paused
        [done] = (await client.get(LIST, headers=comms)).json()["items"]
        assert done["publications"][0]["platform_url"]
        assert done["ready"] is False
        actions = await audit_actions(database)
        assert actions.count("crisis.holding_statement_published") == 1
        assert actions.count("publication.published") == 1

    async def test_refused_outside_a_crisis_with_a_clear_message(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
        statement = await holding_post(database, world, a, "Statement")
        comms = await login_as(client, world, COMMS)
        [item] = (await client.get(LIST, headers=comms)).json()["items"]
        assert item["crisis_active"] is False
        assert item["ready"] is False
        problem = assert_problem(
            await client.post(PUBLISH, json={"post_ids": [str(statement.id)]}, headers=comms), 409
        )
        assert "kein Krisenmodus aktiv" in problem["detail"]
        # A crisis in another clinic does not cover it either.
        await start_crisis(client, world, world.clinic_b)
        assert_problem(
            await client.post(PUBLISH, json={"post_ids": [str(statement.id)]}, headers=comms), 409
        )
        assert (await load_post(database, statement.id)).status is PostStatus.approved
        assert await count(database, Publication) == 0
        assert "crisis.holding_statement_published" not in await audit_actions(database)

    async def test_refused_for_unapproved_non_crisis_and_unflagged_posts(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
        ready = await holding_post(database, world, a, "Bereit")
        refused = [
            await holding_post(database, world, a, "In Prüfung", status=PostStatus.in_review),
            await holding_post(database, world, a, "Kein Krisenbeitrag",
                               category=PostCategory.press),
            await holding_post(database, world, a, "Nicht vorgehalten", flag=False),
        ]  # fmt: skip
        await start_crisis(client, world)
        comms = await login_as(client, world, COMMS)
        for post in refused:
            body = {"post_ids": [str(ready.id), str(post.id)]}
            problem = assert_problem(await client.post(PUBLISH, json=body, headers=comms), 422)
            assert {e["field"] for e in problem["errors"]} == {"body.post_ids.1"}
        async with database.session_scope() as session:
            channel = await session.get(Channel, a.channel.id)
            assert channel is not None
            channel.status = ChannelStatus.needs_reconnect
        items = {i["id"]: i for i in (await client.get(LIST, headers=comms)).json()["items"]}
        assert set(items) == {str(ready.id), str(refused[0].id)}
        assert (items[str(ready.id)]["channels_connected"], items[str(ready.id)]["ready"]) == (
            False,
            False,
        )
        body = {"post_ids": [str(ready.id)]}
        assert_problem(await client.post(PUBLISH, json=body, headers=comms), 422)
        assert await count(database, Publication) == 0
        assert (await load_post(database, ready.id)).status is PostStatus.approved

    async def test_roles_and_clinics_outside_the_caller(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
        b = await connect_mastodon(database, settings, publishing_env, world.clinic_b, "sued")
        in_a = await holding_post(database, world, a, "A")
        in_b = await holding_post(database, world, b, "B", clinic=world.clinic_b)
        await start_crisis(client, world)
        await start_crisis(client, world, world.clinic_b)
        body = {"post_ids": [str(in_a.id)]}
        for email in (EDITOR, MODERATOR):
            headers = await login_as(client, world, email)
            assert_problem(await client.post(PUBLISH, json=body, headers=headers), 403)
        await clinic_user(database, settings, world, Role.comms_lead, world.clinic_a, "ka@m.ex")
        scoped = await login_as(client, world, "ka@m.ex")
        assert [i["id"] for i in (await client.get(LIST, headers=scoped)).json()["items"]] == [
            str(in_a.id)
        ]
        for ids in ([in_b.id], [in_a.id, in_b.id], [uuid.uuid4()]):
            body = {"post_ids": [str(i) for i in ids]}
            assert_problem(await client.post(PUBLISH, json=body, headers=scoped), 404)
        other = await login_as(client, world, OTHER_ADMIN)
        assert (await client.get(LIST, headers=other)).json()["items"] == []
        body = {"post_ids": [str(in_a.id)]}
        assert_problem(await client.post(PUBLISH, json=body, headers=other), 404)
        for bad in ({"post_ids": []}, {"post_ids": ["nope"]}, {}, {"post_ids": [], "x": 1}):
            assert_problem(await client.post(PUBLISH, json=bad, headers=scoped), 422)
        assert await count(database, Publication) == 0
        assert "auth.forbidden" in await audit_actions(database)


class TestReleaseMarker:
    async def test_a_release_holds_only_while_its_crisis_is_active(
        self, publishing_env: SandboxServer, database: Database, settings: Settings, world: World
    ) -> None:
        a = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
        publication = await schedule(database, world, a, "Freigegeben")
        comms = world.user(Role.comms_lead).id
        async with database.session_scope() as session:
            ended = CrisisMode(
                organization_id=world.org.id, scope_type=ScopeType.clinic,
                scope_id=world.clinic_a.id, reason="alt", started_by_id=comms,
                started_at=utc_now(), ended_at=utc_now(),
            )  # fmt: skip
            session.add(ended)
            await session.flush()
            row = await session.get(Publication, publication.id)
            assert row is not None
            row.crisis_release_id = ended.id
            assert await CrisisCheck().holds(session, row) is False  # no crisis active
            active = CrisisMode(
                organization_id=world.org.id, scope_type=ScopeType.organization,
                scope_id=world.org.id, reason="neu", started_by_id=comms, started_at=utc_now(),
            )  # fmt: skip
            session.add(active)
            await session.flush()
            assert await CrisisCheck().holds(session, row) is True  # released under an ended one
            row.crisis_release_id = active.id
            assert await CrisisCheck().holds(session, row) is False
            row.crisis_release_id = None
            assert await CrisisCheck().holds(session, row) is True


class TestDarkSiteFlag:
    async def test_editors_and_comms_leads_keep_crisis_posts_in_the_set(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        a = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "nord")
        post = await holding_post(database, world, a, "Vorbereitet", flag=False)
        press = await holding_post(database, world, a, "Presse", category=PostCategory.press,
                                   flag=False)  # fmt: skip
        comms = await login_as(client, world, COMMS)
        url = f"{LIST}/{post.id}"
        response = await client.put(url, json={"holding_statement": True}, headers=comms)
        assert response.status_code == 200, response.text
        assert response.json()["approved"] is True  # not content: the approval stays
        body = {"holding_statement": True}
        assert_problem(await client.put(f"{LIST}/{press.id}", json=body, headers=comms), 422)
        analyst = await login_as(client, world, "analyse@musterland.example")
        assert_problem(await client.put(url, json=body, headers=analyst), 403)
        medical = await login_as(client, world, "arzt@musterland.example")
        assert_problem(await client.put(url, json={"holding_statement": False}, headers=medical),
                       403)  # fmt: skip
        other = await login_as(client, world, OTHER_ADMIN)
        assert_problem(await client.put(url, json=body, headers=other), 404)
        assert "post.holding_statement_set" in await audit_actions(database)

        editor = await login_as(client, world, EDITOR)
        patched = await client.patch(
            f"/api/v1/posts/{post.id}", json={"holding_statement": False}, headers=editor
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["holding_statement"] is False
        assert patched.json()["status"] == "approved"
        assert_problem(
            await client.patch(
                f"/api/v1/posts/{press.id}", json={"holding_statement": True}, headers=editor
            ),
            422,
        )
        created = await client.post(
            "/api/v1/posts",
            json={"clinic_id": str(world.clinic_a.id), "title": "Neu", "category": "crisis",
                  "holding_statement": True},
            headers=editor,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assert created.json()["holding_statement"] is True
        # Leaving the crisis category drops the flag.
        moved = await client.patch(
            f"/api/v1/posts/{created.json()['id']}", json={"category": "press"}, headers=editor
        )
        assert moved.json()["holding_statement"] is False
        body = {"clinic_id": str(world.clinic_a.id), "title": "X", "category": "press",
                "holding_statement": True}  # fmt: skip
        assert_problem(await client.post("/api/v1/posts", json=body, headers=editor), 422)
