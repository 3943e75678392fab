"""The reviewer's queue: what waits for the caller's decision, oldest first, with a count."""

from __future__ import annotations

import httpx
import pytest
from approvals.support import QUEUE, Desk, add_user
from fixtures.helpers import assert_problem
from fixtures.world import OTHER_ADMIN, World

from app.auth.permissions import Role
from app.kit.db import Database


@pytest.fixture
def desk(client: httpx.AsyncClient, world: World, database: Database) -> Desk:
    return Desk(client, world, database)


def ids(page: dict[str, object]) -> list[str]:
    return [item["post_id"] for item in page["items"]]  # type: ignore[attr-defined, index]


class TestQueue:
    async def test_each_reviewer_sees_what_waits_for_their_step(
        self, desk: Desk, world: World
    ) -> None:
        tip = await desk.submitted("health_tip")
        story = await desk.submitted("patient_story")
        jobs = await desk.submitted("jobs")
        medical = await desk.queue(Role.medical_reviewer)
        assert ids(medical) == [tip["id"], story["id"]]  # oldest first
        assert medical["total"] == 2
        first = medical["items"][0]
        assert first["review"] == "medical"
        assert (first["step"], first["steps_total"]) == (0, 1)
        assert first["clinic_name"] == world.clinic_a.name
        assert first["waiting_since"]
        assert ids(await desk.queue(Role.comms_lead)) == [jobs["id"]]
        assert ids(await desk.queue(Role.privacy_officer)) == []
        assert (await desk.queue(Role.editor))["total"] == 0  # the author; no review rights
        # the story moves on to the privacy officer and leaves the physician's queue
        await desk.decide(story["id"], Role.medical_reviewer)
        assert ids(await desk.queue(Role.medical_reviewer)) == [tip["id"]]
        privacy = await desk.queue(Role.privacy_officer)
        assert ids(privacy) == [story["id"]]
        assert privacy["items"][0]["step"] == 1

    async def test_not_the_authors_own_and_not_what_they_approved(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        await desk.policy([{"review": "comms", "required_approvals": 2}], "jobs")
        own = await desk.submitted("jobs", author=Role.admin)
        other = await desk.submitted("jobs")
        assert ids(await desk.queue(Role.admin)) == [other["id"]]
        await desk.decide(other["id"], Role.comms_lead)
        assert ids(await desk.queue(Role.comms_lead)) == [own["id"]]
        assert ids(await desk.queue(Role.admin)) == [other["id"]]  # one more approval needed

    async def test_cursor_paging_and_scope(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        posts = [await desk.submitted("jobs") for _ in range(3)]
        b_post = await desk.submitted("jobs", clinic="b")
        first = await desk.queue(Role.comms_lead, limit=2)
        assert first["total"] == 4
        rest = await desk.queue(Role.comms_lead, limit=2, cursor=first["next_cursor"])
        assert ids(first) + ids(rest) == [p["id"] for p in posts] + [b_post["id"]]
        assert rest["next_cursor"] is None
        lead_a = await add_user(database, world, Role.comms_lead, world.clinic_a.id, "leada")
        assert ids(await desk.queue(lead_a)) == [p["id"] for p in posts]
        assert (await desk.queue(OTHER_ADMIN))["total"] == 0
        bad = await desk.client.get(
            QUEUE, params={"cursor": "kaputt"}, headers=await desk.headers(Role.comms_lead)
        )
        assert_problem(bad, 422)

    async def test_roles_without_posts_read_are_refused(self, desk: Desk) -> None:
        response = await desk.client.get(QUEUE, headers=await desk.headers(Role.analyst))
        assert_problem(response, 403)
