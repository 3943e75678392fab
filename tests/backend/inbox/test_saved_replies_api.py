"""Saved replies: management by comms leads and admins, use by editors and moderators, scope,
variables, usage count, bad input, audit."""

from __future__ import annotations

import uuid
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
    deliver,
    event,
    make_channels,
)
from publishing.support import clinic_user, login_as

from app.auth.permissions import Role
from app.config import Settings
from app.inbox.models import SavedReply
from app.kit.db import Database

REPLIES = "/api/v1/inbox/saved-replies"
ADVICE = (
    "Hallo {vorname}, wir dürfen online keine individuelle medizinische Beratung geben. "
    "Bitte rufen Sie uns an unter {telefon}; im Notfall 112. Ihr Team des {klinik}"
)


def body(**values: Any) -> dict[str, Any]:
    return {
        "title": "Keine Beratung online",
        "language": "de",
        "category": "medical_question",
        "text": ADVICE,
    } | values


async def create(client: httpx.AsyncClient, world: World, email: str = COMMS, **values: Any) -> Any:
    response = await client.post(
        REPLIES, json=body(**values), headers=await login_as(client, world, email)
    )
    assert response.status_code == 201, response.text
    return response.json()


class TestManage:
    @pytest.mark.parametrize("email", [COMMS, ADMIN])
    async def test_comms_lead_and_admin_create_update_delete_audited(
        self, client: httpx.AsyncClient, database: Database, world: World, email: str
    ) -> None:
        headers = await login_as(client, world, email)
        reply = await create(client, world, email)

        updated = await client.patch(
            f"{REPLIES}/{reply['id']}", json={"title": "Keine Ferndiagnose", "category": None},
            headers=headers,
        )  # fmt: skip
        deleted = await client.delete(f"{REPLIES}/{reply['id']}", headers=headers)

        assert reply["usage_count"] == 0
        assert reply["clinic_id"] is None
        assert updated.json()["title"] == "Keine Ferndiagnose"
        assert updated.json()["category"] is None
        assert deleted.status_code == 204
        assert await count(database, SavedReply) == 0
        assert [a for a in await audit_actions(database) if a.startswith("saved_reply.")] == [
            "saved_reply.created", "saved_reply.updated", "saved_reply.deleted",
        ]  # fmt: skip

    @pytest.mark.parametrize("email", [EDITOR, MODERATOR, OFFICER, ANALYST])
    async def test_other_roles_cannot_manage(
        self, client: httpx.AsyncClient, database: Database, world: World, email: str
    ) -> None:
        reply = await create(client, world)
        headers = await login_as(client, world, email)

        assert_problem(await client.post(REPLIES, json=body(), headers=headers), 403)
        assert_problem(
            await client.patch(f"{REPLIES}/{reply['id']}", json={"title": "x"}, headers=headers),
            403,
        )
        assert_problem(await client.delete(f"{REPLIES}/{reply['id']}", headers=headers), 403)
        assert await count(database, SavedReply) == 1

    @pytest.mark.parametrize(
        "values",
        [
            {"text": "Hallo {unbekannt}"},
            {"text": "Hallo {vorname"},
            {"text": ""},
            {"language": "fr"},
            {"category": "gossip"},
            {"title": ""},
            {"extra": True},
            {"clinic_id": "00000000-0000-0000-0000-000000000001"},
        ],
    )
    async def test_bad_input_answers_422_and_writes_nothing(
        self, client: httpx.AsyncClient, database: Database, world: World, values: dict[str, Any]
    ) -> None:
        response = await client.post(
            REPLIES, json=body(**values), headers=await login_as(client, world, COMMS)
        )

        assert_problem(response, 422)
        assert await count(database, SavedReply) == 0
        assert "saved_reply.created" not in await audit_actions(database)

    async def test_clinic_scoped_comms_lead_manages_only_their_clinic(
        self, client: httpx.AsyncClient, database: Database, world: World, settings: Settings
    ) -> None:
        await clinic_user(
            database, settings, world, Role.comms_lead, world.clinic_a, "kl-a@musterland.example"
        )
        headers = await login_as(client, world, "kl-a@musterland.example")
        org_wide = await create(client, world)  # by the organization-level comms lead
        clinic_b = await create(client, world, clinic_id=str(world.clinic_b.id))

        own = await client.post(
            REPLIES, json=body(clinic_id=str(world.clinic_a.id)), headers=headers
        )
        other = await client.post(
            REPLIES, json=body(clinic_id=str(world.clinic_b.id)), headers=headers
        )
        org = await client.post(REPLIES, json=body(), headers=headers)
        edit_org = await client.patch(
            f"{REPLIES}/{org_wide['id']}", json={"title": "x"}, headers=headers
        )
        edit_b = await client.patch(
            f"{REPLIES}/{clinic_b['id']}", json={"title": "x"}, headers=headers
        )

        assert own.status_code == 201
        assert_problem(other, 422)
        assert_problem(org, 422)
        assert_problem(edit_org, 404)
        assert_problem(edit_b, 404)
        assert await count(database, SavedReply) == 3


class TestUse:
    async def test_list_filters_and_scope(self, client: httpx.AsyncClient, world: World) -> None:
        org_wide = await create(client, world)
        english = await create(client, world, language="en", title="No advice", text="Hi {vorname}")
        clinic_b = await create(client, world, clinic_id=str(world.clinic_b.id), title="B only")
        await create(client, world, OTHER_ADMIN, title="Anderswo")
        headers = await login_as(client, world, MODERATOR)  # clinic A

        listed = await client.get(REPLIES, headers=headers)
        german = await client.get(REPLIES, params={"language": "de"}, headers=headers)
        hidden = await client.get(f"{REPLIES}/{clinic_b['id']}", headers=headers)

        assert {r["id"] for r in listed.json()["items"]} == {org_wide["id"], english["id"]}
        assert [r["id"] for r in german.json()["items"]] == [org_wide["id"]]
        assert_problem(hidden, 404)
        editor = await client.get(REPLIES, headers=await login_as(client, world, EDITOR))
        assert len(editor.json()["items"]) == 3

    async def test_render_fills_variables_from_the_thread_and_counts_uses(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        result = await deliver(database, event(channels.a, "Welche Dosis soll ich nehmen?"))
        reply = await create(client, world)
        headers = await login_as(client, world, MODERATOR)

        rendered = await client.post(
            f"{REPLIES}/{reply['id']}/render", json={"thread_id": str(result.thread.id)},
            headers=headers,
        )  # fmt: skip
        filled = await client.post(
            f"{REPLIES}/{reply['id']}/render",
            json={"thread_id": str(result.thread.id), "variables": {"telefon": "0800 123 456"}},
            headers=headers,
        )
        again = await client.get(f"{REPLIES}/{reply['id']}", headers=headers)

        assert rendered.status_code == 200, rendered.text
        assert rendered.json()["text"].startswith("Hallo Anna, wir dürfen online")
        assert rendered.json()["text"].endswith("Ihr Team des Klinikum A")
        assert rendered.json()["missing"] == ["telefon"]
        assert "unter 0800 123 456;" in filled.json()["text"]
        assert filled.json()["missing"] == []
        assert again.json()["usage_count"] == 2

    async def test_render_with_a_thread_out_of_scope_answers_404(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        channels = await make_channels(database, world)
        result = await deliver(database, event(channels.b, "Frage aus B"))
        reply = await create(client, world)

        response = await client.post(
            f"{REPLIES}/{reply['id']}/render", json={"thread_id": str(result.thread.id)},
            headers=await login_as(client, world, MODERATOR),
        )  # fmt: skip

        assert_problem(response, 404)
        async with database.session_scope() as session:
            stored = await session.get(SavedReply, uuid.UUID(reply["id"]))
        assert stored is not None
        assert stored.usage_count == 0

    async def test_render_bad_input_answers_422(
        self, client: httpx.AsyncClient, database: Database, world: World
    ) -> None:
        reply = await create(client, world)
        response = await client.post(
            f"{REPLIES}/{reply['id']}/render", json={"variables": {"Vorname!": "x"}},
            headers=await login_as(client, world, MODERATOR),
        )  # fmt: skip

        assert_problem(response, 422)
        async with database.session_scope() as session:
            stored = await session.get(SavedReply, uuid.UUID(reply["id"]))
        assert stored is not None
        assert stored.usage_count == 0
