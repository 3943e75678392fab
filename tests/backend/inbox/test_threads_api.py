"""Inbox threads over the API: list (filters, order, counts), detail, actions, clinic isolation
on every endpoint, permissions per role, bad input, audit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import OTHER_ADMIN, World
from inbox.support import (
    ADMIN,
    ANALYST,
    COMMS,
    EDITOR,
    MODERATOR,
    OFFICER,
    Channels,
    deliver,
    event,
    make_channels,
    thread_of,
)
from publishing.support import login_as
from sqlalchemy import select

from app.auth.permissions import Role
from app.inbox.models import InboxNote, InboxThreadTag, ThreadStatus
from app.kit.db import Database
from app.kit.time import utc_now
from app.notifications.models import Notification, NotificationKind
from app.posts.models import Post, PostCategory
from app.publishing.models import Publication, PublicationStatus

THREADS = "/api/v1/inbox/threads"


async def seed(database: Database, world: World) -> tuple[Channels, dict[str, uuid.UUID]]:
    channels = await make_channels(database, world)
    now = utc_now()
    texts = {
        "praise": (channels.a, "Vielen Dank an das ganze Team!", now - timedelta(minutes=5)),
        "parking": (channels.a, "Wo kann ich parken?", now - timedelta(minutes=4)),
        "emergency": (channels.a, "mein Vater hat Brustschmerzen, was soll ich tun?", now),
        "complaint": (channels.a, "Ich möchte mich beschweren, unfreundlich!", now),
        "b_question": (channels.b, "Welche Dosis soll ich nehmen?", now),
    }
    ids = {}
    for key, (channel, text, sent_at) in texts.items():
        result = await deliver(
            database, event(channel, text, sent_at=sent_at, author_platform_id=f"user-{key}")
        )
        ids[key] = result.thread.id
    return channels, ids


class TestList:
    async def test_most_urgent_first_with_counts(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        _, ids = await seed(database, world)
        response = await client.get(THREADS, headers=await login_as(client, world, ADMIN))

        assert response.status_code == 200, response.text
        body = response.json()
        order = [item["id"] for item in body["items"]]
        assert order[0] == str(ids["emergency"])
        assert order[-1] == str(ids["praise"])  # low priority last
        assert set(order[1:3]) == {str(ids["complaint"]), str(ids["b_question"])}
        assert body["counts"] == {"open": 5, "pending": 0, "resolved": 0, "spam": 0}
        assert body["items"][0]["triage_reasons"]

    async def test_moderator_sees_only_clinic_a_in_list_and_counts(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        _, ids = await seed(database, world)
        response = await client.get(THREADS, headers=await login_as(client, world, MODERATOR))

        body = response.json()
        assert str(ids["b_question"]) not in {item["id"] for item in body["items"]}
        assert len(body["items"]) == 4
        assert body["counts"]["open"] == 4
        clinic_b = await client.get(
            THREADS, params={"clinic": str(world.clinic_b.id)},
            headers=await login_as(client, world, MODERATOR),
        )  # fmt: skip
        assert clinic_b.json()["items"] == []
        assert clinic_b.json()["counts"]["open"] == 0

    async def test_other_organization_sees_nothing(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        await seed(database, world)
        response = await client.get(THREADS, headers=await login_as(client, world, OTHER_ADMIN))

        assert response.json()["items"] == []
        assert response.json()["counts"]["open"] == 0

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"category": "emergency"}, ["emergency"]),
            ({"category": ["complaint", "praise"]}, ["complaint", "praise"]),
            ({"priority": "low"}, ["praise"]),
            ({"q": "PARKEN"}, ["parking"]),
            ({"q": "user-"}, []),
            ({"q": "100%"}, []),
        ],
    )
    async def test_filters(
        self,
        client: httpx.AsyncClient,
        database: Database,
        world: World,
        params: dict[str, Any],
        expected: list[str],
    ) -> None:
        _, ids = await seed(database, world)
        response = await client.get(
            THREADS, params=params, headers=await login_as(client, world, MODERATOR)
        )

        assert response.status_code == 200, response.text
        assert {i["id"] for i in response.json()["items"]} == {str(ids[k]) for k in expected}

    async def test_filter_by_status_assignee_tag_channel_and_clinic(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        channels, ids = await seed(database, world)
        headers = await login_as(client, world, ADMIN)
        moderator = world.user(Role.moderator)
        await client.post(
            f"{THREADS}/{ids['parking']}/status", json={"status": "pending"}, headers=headers
        )
        await client.post(
            f"{THREADS}/{ids['praise']}/assign", json={"assignee_id": str(moderator.id)},
            headers=headers,
        )  # fmt: skip
        await client.post(
            f"{THREADS}/{ids['complaint']}/tags", json={"tag": "Presse"}, headers=headers
        )

        async def ids_for(params: dict[str, Any]) -> set[str]:
            response = await client.get(THREADS, params=params, headers=headers)
            assert response.status_code == 200, response.text
            return {i["id"] for i in response.json()["items"]}

        assert await ids_for({"status": "pending"}) == {str(ids["parking"])}
        assert await ids_for({"assignee": str(moderator.id)}) == {str(ids["praise"])}
        assert await ids_for({"tag": "presse"}) == {str(ids["complaint"])}
        assert await ids_for({"channel": str(channels.b.id)}) == {str(ids["b_question"])}
        assert await ids_for({"clinic": str(world.clinic_b.id)}) == {str(ids["b_question"])}
        counts = (await client.get(THREADS, params={"status": "open"}, headers=headers)).json()
        assert counts["counts"] == {"open": 4, "pending": 1, "resolved": 0, "spam": 0}

    async def test_cursor_pages_cover_everything_once(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        _, ids = await seed(database, world)
        headers = await login_as(client, world, ADMIN)
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            body = (await client.get(THREADS, params=params, headers=headers)).json()
            seen += [i["id"] for i in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(str(i) for i in ids.values())
        assert seen[0] == str(ids["emergency"])

    @pytest.mark.parametrize(
        "params",
        [{"status": "closed"}, {"priority": "x"}, {"clinic": "nope"}, {"limit": 0},
         {"tag": "a b"}, {"cursor": "!!"}],
    )  # fmt: skip
    async def test_bad_query_answers_422(
        self, client: httpx.AsyncClient, world: World, params: dict[str, Any]
    ) -> None:
        response = await client.get(
            THREADS, params=params, headers=await login_as(client, world, ADMIN)
        )
        assert_problem(response, 422)


class TestPermissions:
    @pytest.mark.parametrize("email", [EDITOR, ANALYST])
    async def test_roles_without_inbox_read_get_403(
        self, client: httpx.AsyncClient, database: Database, world: World, email: str
    ) -> None:
        _, ids = await seed(database, world)
        headers = await login_as(client, world, email)

        assert_problem(await client.get(THREADS, headers=headers), 403)
        assert_problem(await client.get(f"{THREADS}/{ids['parking']}", headers=headers), 403)

    @pytest.mark.parametrize("email", [COMMS, OFFICER])
    async def test_readers_without_inbox_work_cannot_act(
        self, client: httpx.AsyncClient, database: Database, world: World, email: str
    ) -> None:
        _, ids = await seed(database, world)
        headers = await login_as(client, world, email)

        assert (await client.get(f"{THREADS}/{ids['parking']}", headers=headers)).status_code == 200
        response = await client.post(
            f"{THREADS}/{ids['parking']}/status", json={"status": "resolved"}, headers=headers
        )
        assert_problem(response, 403)
        assert (await thread_of(database, ids["parking"])).status is ThreadStatus.open

    async def test_anonymous_gets_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get(THREADS), 401)


class TestClinicIsolation:
    """A moderator of clinic A and a thread of clinic B: 404 on every endpoint, nothing written."""

    @pytest.mark.parametrize(
        ("method", "suffix", "body"),
        [
            ("GET", "", None),
            ("POST", "/assign", {"assignee_id": None}),
            ("POST", "/status", {"status": "resolved"}),
            ("POST", "/tags", {"tag": "x"}),
            ("DELETE", "/tags/x", None),
            ("POST", "/notes", {"text": "Notiz"}),
            ("POST", "/escalate", {"role": "moderator", "reason": "Bitte übernehmen"}),
        ],
    )
    async def test_other_clinic_answers_404(
        self,
        client: httpx.AsyncClient,
        database: Database,
        world: World,
        method: str,
        suffix: str,
        body: dict[str, Any] | None,
    ) -> None:
        _, ids = await seed(database, world)
        headers = await login_as(client, world, MODERATOR)
        before = await audit_actions(database)

        response = await client.request(
            method, f"{THREADS}/{ids['b_question']}{suffix}", json=body, headers=headers
        )

        assert_problem(response, 404)
        thread = await thread_of(database, ids["b_question"])
        assert thread.status is ThreadStatus.open
        assert thread.escalated_role is None
        assert await count(database, InboxNote) == 0
        assert await count(database, InboxThreadTag) == 0
        assert [a for a in await audit_actions(database) if a.startswith("inbox.")] == [
            a for a in before if a.startswith("inbox.")
        ]

    async def test_unknown_thread_answers_404(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get(
            f"{THREADS}/{uuid.uuid4()}", headers=await login_as(client, world, ADMIN)
        )
        assert_problem(response, 404)


class TestDetail:
    async def test_messages_notes_post_and_earlier_threads(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        async with database.session_scope() as session:
            post = Post(
                organization_id=world.org.id, clinic_id=world.clinic_a.id, title="Tag der offenen Tür",
                category=PostCategory.event, base_text="Kommen Sie vorbei!",
                created_by_id=world.user(Role.editor).id,
            )  # fmt: skip
            session.add(post)
            await session.flush()
            publication = Publication(
                post_id=post.id, channel_id=channels.a.id, organization_id=world.org.id,
                clinic_id=world.clinic_a.id, status=PublicationStatus.published, due_at=utc_now(),
                next_attempt_at=utc_now(), platform_post_id="fb-post-1",
                platform_url="https://facebook.example/fb-post-1",
            )  # fmt: skip
            session.add(publication)
        earlier = await deliver(
            database,
            event(
                channels.a,
                "Erste Frage",
                author_platform_id="anna",
                sent_at=utc_now() - timedelta(days=3),
            ),
        )
        await deliver(database, event(channels.b, "Andere Klinik", author_platform_id="anna"))
        result = await deliver(
            database,
            event(channels.a, "Gibt es Parkplätze?", author_platform_id="anna",
                  platform_thread_id="t-main", platform_object_id="fb-post-1"),
        )  # fmt: skip
        await deliver(
            database,
            event(channels.a, "Hallo?", author_platform_id="anna", platform_thread_id="t-main",
                  sent_at=utc_now()),
        )  # fmt: skip
        headers = await login_as(client, world, MODERATOR)
        await client.post(
            f"{THREADS}/{result.thread.id}/notes", json={"text": "Rückruf"}, headers=headers
        )

        response = await client.get(f"{THREADS}/{result.thread.id}", headers=headers)

        assert response.status_code == 200, response.text
        detail = response.json()
        assert [m["text"] for m in detail["messages"]] == ["Gibt es Parkplätze?", "Hallo?"]
        assert [n["text"] for n in detail["notes"]] == ["Rückruf"]
        assert detail["post"]["title"] == "Tag der offenen Tür"
        assert detail["post"]["platform_url"] == "https://facebook.example/fb-post-1"
        # the clinic-B thread of the same author is out of the moderator's scope
        assert [t["id"] for t in detail["earlier_threads"]] == [str(earlier.thread.id)]


class TestActions:
    async def test_assign_status_tags_note_are_audited(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        _, ids = await seed(database, world)
        headers = await login_as(client, world, MODERATOR)
        url = f"{THREADS}/{ids['parking']}"
        moderator = world.user(Role.moderator)

        assigned = await client.post(
            f"{url}/assign", json={"assignee_id": str(moderator.id)}, headers=headers
        )
        resolved = await client.post(f"{url}/status", json={"status": "resolved"}, headers=headers)
        tagged = await client.post(f"{url}/tags", json={"tag": "Parken"}, headers=headers)
        again = await client.post(f"{url}/tags", json={"tag": "parken"}, headers=headers)
        noted = await client.post(f"{url}/notes", json={"text": "Info geschickt"}, headers=headers)
        untagged = await client.delete(f"{url}/tags/parken", headers=headers)
        missing = await client.delete(f"{url}/tags/parken", headers=headers)

        assert assigned.json()["assignee_id"] == str(moderator.id)
        assert resolved.json()["status"] == "resolved"
        assert tagged.json()["tags"] == ["parken"]
        assert again.status_code == 200
        assert noted.status_code == 201
        assert noted.json()["author_id"] == str(moderator.id)
        assert untagged.json()["tags"] == []
        assert_problem(missing, 404)
        actions = [a for a in await audit_actions(database) if a.startswith("inbox.")]
        assert actions == [
            "inbox.thread_assigned", "inbox.thread_status_changed", "inbox.thread_tagged",
            "inbox.note_added", "inbox.thread_untagged",
        ]  # fmt: skip

    async def test_assign_only_to_users_working_that_clinic(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        _, ids = await seed(database, world)
        headers = await login_as(client, world, ADMIN)
        for user in (world.user(Role.editor), world.user(OTHER_ADMIN)):
            response = await client.post(
                f"{THREADS}/{ids['b_question']}/assign", json={"assignee_id": str(user.id)},
                headers=headers,
            )  # fmt: skip
            body = assert_problem(response, 422)
            assert body["errors"][0]["field"] == "body.assignee_id"
        # the moderator works clinic A only
        response = await client.post(
            f"{THREADS}/{ids['b_question']}/assign",
            json={"assignee_id": str(world.user(Role.moderator).id)}, headers=headers,
        )  # fmt: skip
        assert_problem(response, 422)
        ok = await client.post(
            f"{THREADS}/{ids['b_question']}/assign",
            json={"assignee_id": str(world.user(Role.admin).id)}, headers=headers,
        )  # fmt: skip
        assert ok.status_code == 200
        assert (await thread_of(database, ids["b_question"])).assignee_id == world.user(
            Role.admin
        ).id

    @pytest.mark.parametrize(
        ("suffix", "body"),
        [
            ("/status", {"status": "closed"}),
            ("/status", {"status": "resolved", "extra": 1}),
            ("/tags", {"tag": "zwei wörter"}),
            ("/tags", {"tag": ""}),
            ("/notes", {"text": ""}),
            ("/notes", {"text": "x" * 5001}),
            ("/escalate", {"role": "moderator"}),
            ("/escalate", {"role": "king", "reason": "x"}),
            ("/escalate", {"role": "editor", "reason": "x"}),
            ("/assign", {"assignee_id": "nope"}),
        ],
    )
    async def test_bad_input_answers_422_and_writes_nothing(
        self,
        client: httpx.AsyncClient,
        database: Database,
        world: World,
        suffix: str,
        body: dict[str, Any],
    ) -> None:
        _, ids = await seed(database, world)
        before = await audit_actions(database)

        response = await client.post(
            f"{THREADS}/{ids['parking']}{suffix}", json=body,
            headers=await login_as(client, world, MODERATOR),
        )  # fmt: skip

        assert_problem(response, 422)
        thread = await thread_of(database, ids["parking"])
        assert thread.status is ThreadStatus.open
        assert thread.escalated_role is None
        assert await count(database, InboxNote) == 0
        assert await count(database, InboxThreadTag) == 0
        assert await count(database, Notification) == 0
        assert [a for a in await audit_actions(database) if a.startswith("inbox.")] == [
            a for a in before if a.startswith("inbox.")
        ]

    async def test_escalate_notifies_role_holders_of_the_clinic(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        _, ids = await seed(database, world)
        response = await client.post(
            f"{THREADS}/{ids['emergency']}/escalate",
            json={"role": "comms_lead", "reason": "Notfall, bitte Rückruf"},
            headers=await login_as(client, world, MODERATOR),
        )

        assert response.status_code == 200, response.text
        assert response.json()["escalated_role"] == "comms_lead"
        async with database.session_scope() as session:
            notes = list((await session.execute(select(Notification))).scalars())
            note = (await session.execute(select(InboxNote))).scalar_one()
        assert [n.user_id for n in notes] == [world.user(Role.comms_lead).id]
        assert notes[0].kind is NotificationKind.inbox_escalated
        assert "Brustschmerzen" not in notes[0].body_de  # no message content in notifications
        assert "Notfall, bitte Rückruf" in note.text
        assert "inbox.thread_escalated" in await audit_actions(database)

    async def test_escalate_to_clinic_scoped_role(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        _, ids = await seed(database, world)
        headers = await login_as(client, world, ADMIN)

        ok = await client.post(
            f"{THREADS}/{ids['parking']}/escalate", json={"role": "moderator", "reason": "Bitte"},
            headers=headers,
        )  # fmt: skip
        nobody = await client.post(
            f"{THREADS}/{ids['b_question']}/escalate", json={"role": "moderator", "reason": "Bitte"},
            headers=headers,
        )  # fmt: skip

        assert ok.status_code == 200
        assert_problem(nobody, 422)
        async with database.session_scope() as session:
            users = list((await session.execute(select(Notification.user_id))).scalars())
        assert users == [world.user(Role.moderator).id]
        b = await thread_of(database, ids["b_question"])
        assert b.escalated_role is None
