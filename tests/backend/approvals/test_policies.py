"""Approval policies: per organization or clinic and category, defaults, scope and input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from approvals.support import POLICIES, Desk, add_user
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import OTHER_ADMIN, World

from app.approvals.models import ApprovalPolicy
from app.auth.permissions import Role
from app.kit.db import Database

MEDICAL = {"review": "medical", "required_approvals": 1}
PRIVACY = {"review": "privacy", "required_approvals": 1}
COMMS = {"review": "comms", "required_approvals": 1}


@pytest.fixture
def desk(client: httpx.AsyncClient, world: World, database: Database) -> Desk:
    return Desk(client, world, database)


async def effective(desk: Desk, clinic: Any = None, who: Role | str = Role.admin) -> Any:
    params = {"clinic": str(clinic)} if clinic else {}
    return await desk.client.get(
        f"{POLICIES}/effective", params=params, headers=await desk.headers(who)
    )


def by_category(response: httpx.Response) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {item["category"]: item for item in response.json()["items"]}


class TestDefaults:
    async def test_built_in_defaults_follow_feat_5(self, desk: Desk, world: World) -> None:
        items = by_category(await effective(desk, world.clinic_a.id))
        reviews = {c: [s["review"] for s in item["steps"]] for c, item in items.items()}
        assert reviews["patient_story"] == ["medical", "privacy"]
        assert reviews["health_tip"] == ["medical"]
        assert reviews["aesthetic"] == ["medical", "privacy"]
        assert reviews["jobs"] == ["comms"]
        assert reviews["crisis"] == ["comms"]
        assert reviews["event"] == reviews["other"] == ["comms"]
        assert {item["source"] for item in items.values()} == {"default"}
        assert all(s["required_approvals"] == 1 for i in items.values() for s in i["steps"])


class TestResolution:
    async def test_clinic_policy_beats_organization_policy_beats_default(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        org = await desk.policy([COMMS, MEDICAL], "health_tip")
        assert org.status_code == 201, org.text
        clinic = await desk.policy(
            [{"review": "medical", "required_approvals": 2}], "health_tip", world.clinic_a.id
        )
        assert clinic.status_code == 201, clinic.text
        a = by_category(await effective(desk, world.clinic_a.id))["health_tip"]
        b = by_category(await effective(desk, world.clinic_b.id))["health_tip"]
        whole = by_category(await effective(desk))["health_tip"]
        assert (a["source"], a["policy_id"]) == ("clinic", clinic.json()["id"])
        assert a["steps"] == [{"review": "medical", "required_approvals": 2}]
        assert (b["source"], b["policy_id"]) == ("organization", org.json()["id"])
        assert [s["review"] for s in b["steps"]] == ["comms", "medical"]
        assert whole["source"] == "organization"
        # a post of clinic B walks the organization's order: comms first
        post = await desk.submitted("health_tip", clinic="b")
        review = await desk.review(post["id"])
        assert review["request"]["policy_source"] == "organization"
        assert [s["review"] for s in review["request"]["steps"]] == ["comms", "medical"]
        assert [s["state"] for s in review["request"]["steps"]] == ["current", "waiting"]

    async def test_update_and_delete_fall_back_and_are_audited(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        created = (await desk.policy([COMMS], "jobs", world.clinic_a.id)).json()
        headers = await desk.headers(Role.admin)
        patched = await desk.client.patch(
            f"{POLICIES}/{created['id']}", json={"steps": [PRIVACY, COMMS]}, headers=headers
        )
        assert patched.status_code == 200, patched.text
        assert [s["review"] for s in patched.json()["steps"]] == ["privacy", "comms"]
        listed = await desk.client.get(POLICIES, headers=headers)
        assert [p["id"] for p in listed.json()["items"]] == [created["id"]]
        deleted = await desk.client.delete(f"{POLICIES}/{created['id']}", headers=headers)
        assert deleted.status_code == 204
        jobs = by_category(await effective(desk, world.clinic_a.id))["jobs"]
        assert jobs["source"] == "default"
        assert await count(database, ApprovalPolicy) == 0
        actions = await audit_actions(database)
        for action in ("approval_policy.created", "approval_policy.updated",
                       "approval_policy.deleted"):  # fmt: skip
            assert action in actions

    async def test_one_policy_per_scope_and_category(self, desk: Desk, world: World) -> None:
        assert (await desk.policy([COMMS], "press")).status_code == 201
        assert_problem(await desk.policy([MEDICAL], "press"), 409)
        assert (await desk.policy([MEDICAL], "press", world.clinic_a.id)).status_code == 201


class TestPermissions:
    @pytest.mark.parametrize("role", [Role.editor, Role.medical_reviewer, Role.comms_lead])
    async def test_only_policy_managers(
        self, role: Role, desk: Desk, world: World, database: Database
    ) -> None:
        assert_problem(await desk.policy([COMMS], "jobs", who=role), 403)
        assert_problem(await effective(desk, world.clinic_a.id, who=role), 403)
        assert await count(database, ApprovalPolicy) == 0

    async def test_other_organization_sees_nothing(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        policy = (await desk.policy([COMMS], "jobs", world.clinic_a.id)).json()
        other = await desk.headers(OTHER_ADMIN)
        assert_problem(await desk.client.get(f"{POLICIES}/{policy['id']}", headers=other), 404)
        patch = await desk.client.patch(
            f"{POLICIES}/{policy['id']}", json={"steps": [MEDICAL]}, headers=other
        )
        assert_problem(patch, 404)
        assert_problem(await desk.client.delete(f"{POLICIES}/{policy['id']}", headers=other), 404)
        assert (await desk.client.get(POLICIES, headers=other)).json()["items"] == []
        assert_problem(await effective(desk, world.clinic_a.id, who=OTHER_ADMIN), 404)
        body = assert_problem(
            await desk.policy([MEDICAL], "jobs", world.clinic_a.id, who=OTHER_ADMIN), 422
        )
        assert body["errors"][0]["field"] == "body.clinic_id"
        assert await count(database, ApprovalPolicy) == 1

    async def test_a_clinic_admin_manages_only_their_clinic(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        email = await add_user(database, world, Role.admin, world.clinic_a.id, "klinikadmin")
        org_policy = (await desk.policy([COMMS], "event")).json()
        b_policy = (await desk.policy([COMMS], "event", world.clinic_b.id)).json()
        assert_problem(await desk.policy([MEDICAL], "jobs", who=email), 403)
        assert (await desk.policy([MEDICAL], "jobs", world.clinic_a.id, who=email)).is_success
        headers = await desk.headers(email)
        for policy in (org_policy, b_policy):
            assert_problem(
                await desk.client.get(f"{POLICIES}/{policy['id']}", headers=headers), 404
            )
        assert_problem(await effective(desk, world.clinic_b.id, who=email), 404)
        jobs = by_category(await effective(desk, world.clinic_a.id, who=email))["jobs"]
        assert jobs["source"] == "clinic"


class TestBadInput:
    @pytest.mark.parametrize(
        "body",
        [
            {"category": "horoscope", "steps": [COMMS]},
            {"category": "jobs", "steps": []},
            {"category": "jobs", "steps": [{"review": "comms", "required_approvals": 0}]},
            {"category": "jobs", "steps": [{"review": "legal", "required_approvals": 1}]},
            {"category": "jobs", "steps": [COMMS], "organization_id": "x"},
            {"category": "jobs"},
        ],
    )
    async def test_refused_and_nothing_written(
        self, body: dict[str, Any], desk: Desk, database: Database
    ) -> None:
        response = await desk.client.post(
            POLICIES, json=body, headers=await desk.headers(Role.admin)
        )
        assert assert_problem(response, 422)["errors"]
        assert await count(database, ApprovalPolicy) == 0

    async def test_patch_with_empty_steps_keeps_the_policy(self, desk: Desk, world: World) -> None:
        policy = (await desk.policy([COMMS], "jobs")).json()
        headers = await desk.headers(Role.admin)
        for steps in ([], None, [{"review": "comms", "required_approvals": -1}]):
            response = await desk.client.patch(
                f"{POLICIES}/{policy['id']}", json={"steps": steps}, headers=headers
            )
            assert_problem(response, 422)
        stored = (await desk.client.get(f"{POLICIES}/{policy['id']}", headers=headers)).json()
        assert stored["steps"] == [COMMS]
