"""Attaching images to posts: order, alt texts, clinic scope, review after a change, and the
alt text required to submit."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fixtures.approvals import Reviewers
from fixtures.helpers import assert_problem, count
from fixtures.world import OTHER_ADMIN, World, login
from media.support import gif, jpeg_with_gps, png, uploaded
from sqlalchemy import select

from app.auth.permissions import Role
from app.channels.models import Channel
from app.connectors.base import Platform
from app.kit.db import Database
from app.posts.models import Post, PostMedia

POSTS = "/api/v1/posts"


@pytest.fixture
async def editor(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    return await login(client, world.user(Role.editor).email, world.password)


async def draft(
    client: httpx.AsyncClient, headers: dict[str, str], world: World, database: Database
) -> dict[str, Any]:
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=world.org.id, clinic_id=world.clinic_a.id,
            platform=Platform.MASTODON, display_name="Mastodon A",
            platform_account_id=uuid.uuid4().hex,
        )  # fmt: skip
        session.add(channel)
        await session.flush()
    response = await client.post(
        POSTS,
        headers=headers,
        json={
            "clinic_id": str(world.clinic_a.id),
            "title": "Neue Station",
            "category": "behind_the_scenes",
            "base_text": "Unsere neue Station 3 öffnet am Montag.",
            "variants": [{"channel_id": str(channel.id)}],
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def put_media(
    client: httpx.AsyncClient, headers: dict[str, str], post_id: str, items: list[Any]
) -> httpx.Response:
    return await client.put(f"{POSTS}/{post_id}/media", headers=headers, json={"media": items})


class TestAttach:
    async def test_attaches_in_order_and_shows_media_in_the_post(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database,
    ) -> None:  # fmt: skip
        post = await draft(client, editor, world, database)
        first = await uploaded(client, editor, world.clinic_a.id, jpeg_with_gps())
        second = await uploaded(client, editor, world.clinic_a.id, png())
        assert post["media"] == []

        response = await put_media(client, editor, post["id"], [
            {"media_id": second["id"], "alt_text": "Logo der Station"},
            {"media_id": first["id"], "alt_text": "Das Team der Station 3 vor dem Eingang"},
        ])  # fmt: skip

        assert response.status_code == 200, response.text
        body = response.json()
        assert [(m["media_id"], m["position"], m["alt_text"]) for m in body["media"]] == [
            (second["id"], 0, "Logo der Station"),
            (first["id"], 1, "Das Team der Station 3 vor dem Eingang"),
        ]
        assert body["media"][1]["content_url"] == first["content_url"]
        assert body["content_version"] == post["content_version"] + 1
        fetched = (await client.get(f"{POSTS}/{post['id']}", headers=editor)).json()
        assert fetched["media"] == body["media"]
        # Replacing the whole set: one image left.
        response = await put_media(
            client, editor, post["id"], [{"media_id": first["id"], "alt_text": "Team"}]
        )
        assert [m["media_id"] for m in response.json()["media"]] == [first["id"]]
        assert await count(database, PostMedia) == 1

    async def test_submit_requires_alt_text(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database,
    ) -> None:  # fmt: skip
        post = await draft(client, editor, world, database)
        image = await uploaded(client, editor, world.clinic_a.id, jpeg_with_gps())
        await put_media(client, editor, post["id"], [{"media_id": image["id"], "alt_text": " "}])

        submitted = await client.post(f"{POSTS}/{post['id']}/submit", headers=editor)
        problem = assert_problem(submitted, 422)
        assert "alt_text_missing" in [e["type"] for e in problem["errors"]]

        described = [{"media_id": image["id"], "alt_text": "Zwei Pflegekräfte am Bett"}]
        await put_media(client, editor, post["id"], described)
        response = await client.post(f"{POSTS}/{post['id']}/submit", headers=editor)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "in_review"

    async def test_a_change_after_approval_sends_the_post_back_to_review(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database,
    ) -> None:  # fmt: skip
        post = await draft(client, editor, world, database)
        assert (await client.post(f"{POSTS}/{post['id']}/submit", headers=editor)).is_success
        approved = await Reviewers(client, world).approve_all(post["id"])  # comms lead
        assert approved["approval_current"] is True
        image = await uploaded(client, editor, world.clinic_a.id, gif())

        response = await put_media(
            client, editor, post["id"], [{"media_id": image["id"], "alt_text": "Animation"}]
        )

        body = response.json()
        assert body["status"] == "in_review"
        assert body["approval_current"] is False
        assert body["approved_by_id"] is None
        async with database.session_scope() as session:
            stored = (await session.execute(select(Post))).scalar_one()
        assert stored.approved_hash is None

    async def test_alt_text_changes_the_content_hash(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database,
    ) -> None:  # fmt: skip
        post = await draft(client, editor, world, database)
        image = await uploaded(client, editor, world.clinic_a.id, png())
        one, same, other = [
            await put_media(client, editor, post["id"], [{"media_id": image["id"], "alt_text": a}])
            for a in ("A", "A", "B")
        ]
        versions = [r.json()["content_version"] for r in (one, same, other)]
        assert versions == [versions[0], versions[0], versions[0] + 1]

    async def test_media_of_another_clinic_duplicates_and_long_alt_texts_are_refused(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database,
    ) -> None:  # fmt: skip
        post = await draft(client, editor, world, database)
        mine = await uploaded(client, editor, world.clinic_a.id, png())
        foreign = await uploaded(client, editor, world.clinic_b.id, png())

        problem = assert_problem(await put_media(client, editor, post["id"], [
            {"media_id": mine["id"], "alt_text": "a"},
            {"media_id": foreign["id"], "alt_text": "b"},
            {"media_id": mine["id"], "alt_text": "c"},
            {"media_id": str(uuid.uuid4()), "alt_text": "d"},
        ]), 422)  # fmt: skip
        assert [(e["field"], e["type"]) for e in problem["errors"]] == [
            ("body.media.1.media_id", "not_found"),
            ("body.media.2.media_id", "duplicate"),
            ("body.media.3.media_id", "not_found"),
        ]
        too_long = await put_media(
            client, editor, post["id"], [{"media_id": mine["id"], "alt_text": "x" * 1501}]
        )
        assert_problem(too_long, 422)
        assert await count(database, PostMedia) == 0

    async def test_other_roles_and_organizations(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database,
    ) -> None:  # fmt: skip
        post = await draft(client, editor, world, database)
        image = await uploaded(client, editor, world.clinic_a.id, png())
        items = [{"media_id": image["id"], "alt_text": "Logo"}]
        moderator = await login(client, world.user(Role.moderator).email, world.password)
        reviewer = await login(client, world.user(Role.medical_reviewer).email, world.password)
        other = await login(client, OTHER_ADMIN, world.password)

        assert_problem(await put_media(client, moderator, post["id"], items), 403)
        assert_problem(await put_media(client, reviewer, post["id"], items), 403)
        assert_problem(await put_media(client, other, post["id"], items), 404)
        assert await count(database, PostMedia) == 0
