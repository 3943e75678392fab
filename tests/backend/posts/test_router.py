"""The posts API: drafts, variants, review, DST-correct scheduling, calendar and scope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fixtures.approvals import Reviewers
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import ROLE_EMAILS, World, login
from sqlalchemy import select

from app.auth.permissions import Role
from app.channels.models import Channel, ChannelStatus
from app.connectors.base import Platform
from app.kit.db import Database
from app.posts.models import Post, PostVariant
from app.publishing.models import Publication, PublicationStatus
from app.users.models import RoleAssignment, ScopeType, User

API = "/api/v1/posts"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"


async def add_channel(
    database: Database,
    world: World,
    platform: Platform = Platform.MASTODON,
    *,
    clinic: Any = "a",
    status: ChannelStatus = ChannelStatus.connected,
) -> uuid.UUID:
    clinic_id = {"a": world.clinic_a.id, "b": world.clinic_b.id, None: None}[clinic]
    async with database.session_scope() as session:
        channel = Channel(
            organization_id=world.org.id,
            clinic_id=clinic_id,
            platform=platform,
            display_name=f"{platform.value} {clinic}",
            platform_account_id=uuid.uuid4().hex,
            status=status,
        )
        session.add(channel)
        await session.flush()
        return channel.id


async def add_clinic_user(
    database: Database, world: World, role: Role, clinic_id: uuid.UUID
) -> str:
    email = f"{role.value}-{clinic_id.hex[:6]}@musterland.example"
    async with database.session_scope() as session:
        admin = world.user(Role.admin)
        user = User(
            organization_id=world.org.id,
            email=email,
            full_name="Clinic User",
            password_hash=admin.password_hash,
        )
        session.add(user)
        await session.flush()
        session.add(
            RoleAssignment(
                user_id=user.id,
                organization_id=world.org.id,
                role=role,
                scope_type=ScopeType.clinic,
                scope_id=clinic_id,
            )
        )
    return email


def draft_body(world: World, channels: list[uuid.UUID], **extra: Any) -> dict[str, Any]:
    return {
        "clinic_id": str(world.clinic_a.id),
        "title": "Grippeimpfung",
        "category": "health_tip",
        "base_text": "Jetzt gegen Grippe impfen lassen. #Gesundheit",
        "link_url": "https://klinikum-a.example/impfen",
        "utm": {"utm_source": "social", "utm_campaign": "grippe"},
        "variants": [{"channel_id": str(c)} for c in channels],
        **extra,
    }


class Flow:
    """Drives a post through the API with the world's users."""

    def __init__(self, client: httpx.AsyncClient, world: World) -> None:
        self.client = client
        self.world = world
        self.headers: dict[Role, dict[str, str]] = {}
        self.reviewers = Reviewers(client, world)

    async def as_(self, role: Role) -> dict[str, str]:
        if role not in self.headers:
            self.headers[role] = await login(self.client, ROLE_EMAILS[role], self.world.password)
        return self.headers[role]

    async def create(self, channels: list[uuid.UUID], **extra: Any) -> dict[str, Any]:
        response = await self.client.post(
            API, json=draft_body(self.world, channels, **extra), headers=await self.as_(Role.editor)
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def post(self, role: Role, path: str, json: Any = None) -> httpx.Response:
        return await self.client.post(f"{API}/{path}", json=json, headers=await self.as_(role))

    async def approved(self, channels: list[uuid.UUID]) -> dict[str, Any]:
        post = await self.create(channels)
        assert (await self.post(Role.editor, f"{post['id']}/submit")).status_code == 200
        return await self.reviewers.approve_all(post["id"])


@pytest.fixture
def flow(client: httpx.AsyncClient, world: World) -> Flow:
    return Flow(client, world)


class TestLifecycle:
    async def test_draft_to_scheduled_plans_one_publication_per_channel(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        channels = [
            await add_channel(database, world, Platform.MASTODON),
            await add_channel(database, world, Platform.BLUESKY, clinic=None),
        ]
        post = await flow.create(channels)
        assert post["status"] == "draft"
        assert post["tagged_link"] == (
            "https://klinikum-a.example/impfen?utm_source=social&utm_campaign=grippe"
        )
        assert [v["platform"] for v in post["variants"]] == ["mastodon", "bluesky"]
        submitted = await flow.post(Role.editor, f"{post['id']}/submit")
        assert submitted.json()["status"] == "in_review"
        approved = await flow.reviewers.approve_all(post["id"])  # health_tip: medical review
        assert approved["status"] == "approved"
        assert approved["approval_current"] is True
        scheduled = await flow.post(
            Role.editor, f"{post['id']}/schedule", {"scheduled_local": "2027-03-01T09:30"}
        )
        assert scheduled.status_code == 200, scheduled.text
        body = scheduled.json()
        assert body["status"] == "scheduled"
        assert body["scheduled_at"].startswith("2027-03-01T08:30:00")
        assert body["scheduled_local"] == "2027-03-01T09:30:00"
        async with database.session_scope() as session:
            pubs = list(
                (
                    await session.execute(select(Publication).order_by(Publication.channel_id))
                ).scalars()
            )
        assert len(pubs) == 2
        assert {p.channel_id for p in pubs} == set(channels)
        assert all(p.status is PublicationStatus.pending for p in pubs)
        assert all(
            p.due_at == p.next_attempt_at == datetime(2027, 3, 1, 8, 30, tzinfo=UTC) for p in pubs
        )
        assert all(p.clinic_id == world.clinic_a.id for p in pubs)
        actions = await audit_actions(database)
        for action in ("post.created", "post.submitted", "post.approved", "post.scheduled"):
            assert action in actions

    async def test_replanning_is_idempotent(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        channel = await add_channel(database, world)
        post = await flow.approved([channel])
        for moment in ("2027-03-01T09:30", "2027-03-02T10:00"):
            response = await flow.post(
                Role.editor, f"{post['id']}/schedule", {"scheduled_local": moment}
            )
            assert response.status_code == 200, response.text
        assert await count(database, Publication) == 1
        async with database.session_scope() as session:
            pub = (await session.execute(select(Publication))).scalar_one()
        assert pub.due_at == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)

    async def test_edit_after_approval_goes_back_to_review(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        channel = await add_channel(database, world)
        post = await flow.approved([channel])
        await flow.post(
            Role.editor, f"{post['id']}/schedule", {"scheduled_local": "2027-03-01T09:30"}
        )
        headers = await flow.as_(Role.editor)
        renamed = await client.patch(f"{API}/{post['id']}", json={"title": "Neu"}, headers=headers)
        assert renamed.json()["status"] == "scheduled"  # the title is internal, not content
        edited = await client.patch(
            f"{API}/{post['id']}", json={"base_text": "Geänderter Text"}, headers=headers
        )
        assert edited.status_code == 200, edited.text
        body = edited.json()
        assert body["status"] == "in_review"
        assert body["approved_by_id"] is None
        assert body["approval_current"] is False
        assert body["content_version"] == post["content_version"] + 1
        assert await count(database, Publication) == 0
        again = await flow.post(
            Role.editor, f"{post['id']}/schedule", {"scheduled_local": "2027-03-01T09:30"}
        )
        assert_problem(again, 409)

    async def test_variant_change_after_approval_goes_back_to_review(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        channel = await add_channel(database, world)
        post = await flow.approved([channel])
        response = await client.put(
            f"{API}/{post['id']}/variants",
            json={"variants": [{"channel_id": str(channel), "text_override": "Nur hier"}]},
            headers=await flow.as_(Role.editor),
        )
        assert response.json()["status"] == "in_review"
        assert response.json()["variants"][0]["text_override"] == "Nur hier"

    async def test_request_changes_reject_cancel_duplicate(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        channel = await add_channel(database, world)
        post = await flow.create([channel])
        await flow.post(Role.editor, f"{post['id']}/submit")
        changes = await flow.reviewers.decide(
            post["id"], Role.medical_reviewer, "request_changes", "Quelle?"
        )
        assert changes.json()["post"]["status"] == "changes_requested"
        assert (await flow.post(Role.editor, f"{post['id']}/submit")).json()[
            "status"
        ] == "in_review"
        rejected = await flow.reviewers.decide(post["id"], Role.medical_reviewer, "reject", "Nein")
        assert rejected.json()["post"]["status"] == "rejected"
        assert_problem(await flow.post(Role.editor, f"{post['id']}/cancel"), 409)
        copy = await flow.post(Role.editor, f"{post['id']}/duplicate")
        assert copy.status_code == 201
        assert copy.json()["status"] == "draft"
        assert copy.json()["title"] == "Kopie von Grippeimpfung"
        assert len(copy.json()["variants"]) == 1
        cancelled = await flow.post(Role.editor, f"{copy.json()['id']}/cancel")
        assert cancelled.json()["status"] == "cancelled"
        actions = await audit_actions(database)
        for action in ("post.changes_requested", "post.rejected", "post.cancelled"):
            assert action in actions

    async def test_cancel_withdraws_pending_publications(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        channel = await add_channel(database, world)
        post = await flow.approved([channel])
        await flow.post(
            Role.editor, f"{post['id']}/schedule", {"scheduled_local": "2027-03-01T09:30"}
        )
        assert await count(database, Publication) == 1
        assert (await flow.post(Role.editor, f"{post['id']}/cancel")).json()[
            "status"
        ] == "cancelled"
        assert await count(database, Publication) == 0


class TestFourEyes:
    async def test_nobody_approves_their_own_post(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        channel = await add_channel(database, world)
        headers = await flow.as_(Role.admin)
        created = await client.post(API, json=draft_body(world, [channel]), headers=headers)
        post_id = created.json()["id"]
        await client.post(f"{API}/{post_id}/submit", headers=headers)
        own = await flow.reviewers.decide(post_id, Role.admin)
        assert "Vier-Augen" in assert_problem(own, 403)["detail"]
        assert (await flow.reviewers.decide(post_id, Role.medical_reviewer)).status_code == 200


class TestSubmitValidation:
    async def test_blocking_issues_list_channel_field_and_message(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        bluesky = await add_channel(database, world, Platform.BLUESKY)
        mastodon = await add_channel(database, world, Platform.MASTODON)
        post = await flow.create([bluesky, mastodon], base_text="a" * 350, link_url=None)
        body = assert_problem(await flow.post(Role.editor, f"{post['id']}/submit"), 422)
        fields = {e["field"]: e for e in body["errors"]}
        assert f"channels.{bluesky}.text" in fields
        assert "Bluesky" in fields[f"channels.{bluesky}.text"]["message"]
        assert f"channels.{mastodon}.text" not in fields
        async with database.session_scope() as session:
            assert (await session.get(Post, uuid.UUID(post["id"]))).status.value == "draft"  # type: ignore[union-attr]

    async def test_emoji_family_counts_once_on_bluesky(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        bluesky = await add_channel(database, world, Platform.BLUESKY)
        post = await flow.create([bluesky], base_text="a" * 299 + FAMILY, link_url=None)
        assert (await flow.post(Role.editor, f"{post['id']}/submit")).json()[
            "status"
        ] == "in_review"

    async def test_no_channel_and_disconnected_channel(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        post = await flow.create([])
        body = assert_problem(await flow.post(Role.editor, f"{post['id']}/submit"), 422)
        assert body["errors"][0]["field"] == "variants"
        broken = await add_channel(database, world, status=ChannelStatus.needs_reconnect)
        response = await client.put(
            f"{API}/{post['id']}/variants",
            json={"variants": [{"channel_id": str(broken)}]},
            headers=await flow.as_(Role.editor),
        )
        body = assert_problem(response, 422)
        assert "nicht verbunden" in body["errors"][0]["message"]

    async def test_channel_of_another_clinic_is_refused(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        other = await add_channel(database, world, clinic="b")
        response = await client.post(
            API, json=draft_body(world, [other]), headers=await flow.as_(Role.editor)
        )
        assert assert_problem(response, 422)["errors"][0]["field"] == "body.variants.0.channel_id"
        assert await count(database, Post) == 0

    async def test_preview_counts_per_channel(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        mastodon = await add_channel(database, world, Platform.MASTODON)
        response = await client.post(
            f"{API}/preview-validation",
            json={
                "base_text": "Hallo " + FAMILY + " https://example.org/" + "x" * 60,
                "channel_ids": [str(mastodon)],
                "platforms": ["bluesky"],
            },
            headers=await flow.as_(Role.editor),
        )
        assert response.status_code == 200, response.text
        targets = response.json()["targets"]
        assert targets[0]["channel_id"] == str(mastodon)
        assert (targets[0]["length"], targets[0]["limit"]) == (6 + 1 + 1 + 23, 500)
        assert targets[1]["platform"] == "bluesky"
        assert targets[1]["unit"] == "graphemes"
        assert targets[1]["length"] == 6 + 1 + 1 + len("https://example.org/") + 60
        assert await count(database, Post) == 0


class TestSchedulingDst:
    async def _approved(self, flow: Flow, world: World, database: Database) -> str:
        return str((await flow.approved([await add_channel(database, world)]))["id"])

    async def test_nonexistent_local_time_is_refused(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        post_id = await self._approved(flow, world, database)
        response = await flow.post(
            Role.editor, f"{post_id}/schedule", {"scheduled_local": "2026-03-29T02:30"}
        )
        body = assert_problem(response, 422)
        assert "existiert nicht (Zeitumstellung)" in body["detail"]
        assert "01:59" in body["detail"]
        assert "03:00" in body["detail"]
        assert await count(database, Publication) == 0

    async def test_ambiguous_local_time_needs_fold(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        post_id = await self._approved(flow, world, database)
        response = await flow.post(
            Role.editor, f"{post_id}/schedule", {"scheduled_local": "2026-10-25T02:30"}
        )
        body = assert_problem(response, 422)
        assert body["errors"][0]["type"] == "ambiguous_time"
        assert "fold" in body["detail"]

    @pytest.mark.parametrize(
        ("fold", "utc"), [(0, "2027-10-31T00:30:00"), (1, "2027-10-31T01:30:00")]
    )
    async def test_fold_selects_the_occurrence(
        self, flow: Flow, world: World, database: Database, fold: int, utc: str
    ) -> None:
        post_id = await self._approved(flow, world, database)
        response = await flow.post(
            Role.editor,
            f"{post_id}/schedule",
            {"scheduled_local": "2027-10-31T02:30", "fold": fold},
        )
        assert response.status_code == 200, response.text
        assert response.json()["scheduled_at"].startswith(utc)

    async def test_explicit_offset_and_past(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        post_id = await self._approved(flow, world, database)
        response = await flow.post(
            Role.editor, f"{post_id}/schedule", {"scheduled_at": "2027-10-31T02:30:00+01:00"}
        )
        assert response.json()["scheduled_at"].startswith("2027-10-31T01:30:00")
        past = await flow.post(
            Role.editor, f"{post_id}/schedule", {"scheduled_local": "2020-01-01T10:00"}
        )
        assert_problem(past, 422)
        both = await flow.post(
            Role.editor, f"{post_id}/schedule",
            {"scheduled_local": "2027-01-01T10:00", "scheduled_at": "2027-01-01T10:00:00Z"},
        )  # fmt: skip
        assert_problem(both, 422)

    async def test_schedule_requires_approval(
        self, flow: Flow, world: World, database: Database
    ) -> None:
        post = await flow.create([await add_channel(database, world)])
        response = await flow.post(
            Role.editor, f"{post['id']}/schedule", {"scheduled_local": "2027-01-01T10:00"}
        )
        assert_problem(response, 409)


class TestPermissions:
    @pytest.mark.parametrize("role", [Role.moderator, Role.analyst])
    async def test_without_posts_rights_writing_is_403(
        self, role: Role, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        headers = await flow.as_(role)
        assert_problem(await client.post(API, json=draft_body(world, []), headers=headers), 403)
        assert_problem(await client.get(API, headers=headers), 403)
        assert await count(database, Post) == 0

    async def test_reviewers_read_but_do_not_write_and_editors_do_not_approve(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        post = await flow.create([await add_channel(database, world)])
        headers = await flow.as_(Role.comms_lead)
        assert (await client.get(f"{API}/{post['id']}", headers=headers)).status_code == 200
        assert_problem(
            await client.patch(f"{API}/{post['id']}", json={"title": "x"}, headers=headers), 403
        )
        await flow.post(Role.editor, f"{post['id']}/submit")
        # health_tip: a medical step; neither the editor nor the comms lead may decide it
        assert_problem(await flow.reviewers.decide(post["id"], Role.editor), 403)
        assert_problem(await flow.reviewers.decide(post["id"], Role.comms_lead), 403)
        assert (await flow.reviewers.decide(post["id"], Role.medical_reviewer)).status_code == 200


class TestClinicIsolation:
    async def test_clinic_a_editor_never_sees_clinic_b(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        channel_b = await add_channel(database, world, clinic="b")
        created = await client.post(
            API,
            json=draft_body(world, [channel_b], clinic_id=str(world.clinic_b.id)),
            headers=await flow.as_(Role.editor),
        )
        post_b = created.json()["id"]
        mine = await flow.create([])
        email = await add_clinic_user(database, world, Role.editor, world.clinic_a.id)
        headers = await login(client, email, world.password)
        listed = (await client.get(API, headers=headers)).json()["items"]
        assert [p["id"] for p in listed] == [mine["id"]]
        unknown = uuid.uuid4()
        for path in (post_b, f"{post_b}/submit", f"{post_b}/duplicate"):
            method = client.get if "/" not in path else client.post
            response = await method(f"{API}/{path}", headers=headers)
            assert_problem(response, 404)
        assert_problem(await client.get(f"{API}/{unknown}", headers=headers), 404)
        refused = await client.post(
            API, json=draft_body(world, [], clinic_id=str(world.clinic_b.id)), headers=headers
        )
        assert assert_problem(refused, 422)["errors"][0]["field"] == "body.clinic_id"
        preview = await client.post(
            f"{API}/preview-validation", json={"channel_ids": [str(channel_b)]}, headers=headers
        )
        assert_problem(preview, 422)


class TestCalendar:
    async def test_filters_and_cursor_paging(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        channel = await add_channel(database, world)
        other = await add_channel(database, world, Platform.BLUESKY)
        ids = []
        for day in (3, 1, 2):
            post = await flow.approved([channel])
            await flow.post(
                Role.editor, f"{post['id']}/schedule", {"scheduled_local": f"2027-03-0{day}T09:00"}
            )
            ids.append((day, post["id"]))
        draft = await flow.create([other])
        headers = await flow.as_(Role.editor)
        expected = [pid for _, pid in sorted(ids)]
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = (await client.get(API, params=params, headers=headers)).json()
            seen += [p["id"] for p in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == [*expected, draft["id"]]
        march = await client.get(
            API,
            params={"from": "2027-03-02T00:00:00+01:00", "to": "2027-04-01T00:00:00+02:00",
                    "status": "scheduled", "clinic": str(world.clinic_a.id)},
            headers=headers,
        )  # fmt: skip
        assert [p["id"] for p in march.json()["items"]] == expected[1:]
        by_channel = await client.get(API, params={"channel": str(other)}, headers=headers)
        assert [p["id"] for p in by_channel.json()["items"]] == [draft["id"]]
        drafts = await client.get(API, params={"status": ["draft", "in_review"]}, headers=headers)
        assert [p["id"] for p in drafts.json()["items"]] == [draft["id"]]


class TestBadInput:
    @pytest.mark.parametrize(
        "change",
        [
            {"category": "werbung"},
            {"title": ""},
            {"link_url": "javascript:alert(1)"},
            {"utm": {"utm_evil": "x"}},
            {"unknown": 1},
        ],
    )
    async def test_invalid_create_writes_nothing(
        self,
        change: dict[str, Any],
        flow: Flow,
        world: World,
        database: Database,
        client: httpx.AsyncClient,
    ) -> None:
        body = {**draft_body(world, []), **change}
        response = await client.post(API, json=body, headers=await flow.as_(Role.editor))
        assert_problem(response, 422)
        assert await count(database, Post) == 0
        assert await count(database, PostVariant) == 0
        assert "post.created" not in await audit_actions(database)

    async def test_patch_null_and_published_edit(
        self, flow: Flow, world: World, database: Database, client: httpx.AsyncClient
    ) -> None:
        post = await flow.create([])
        headers = await flow.as_(Role.editor)
        assert_problem(
            await client.patch(f"{API}/{post['id']}", json={"title": None}, headers=headers), 422
        )
        cleared = await client.patch(
            f"{API}/{post['id']}", json={"link_url": None}, headers=headers
        )
        assert cleared.json()["link_url"] is None
        assert cleared.json()["tagged_link"] is None
        await flow.post(Role.editor, f"{post['id']}/cancel")
        assert_problem(
            await client.patch(f"{API}/{post['id']}", json={"base_text": "x"}, headers=headers), 409
        )
