"""Review: ordered steps, N-of-role, four-eyes, decisions, re-review on edit with a diff."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from approvals.support import POSTS, Desk, add_user
from fixtures.helpers import assert_problem, count
from fixtures.world import OTHER_ADMIN, World
from sqlalchemy import select
from sqlmodel import col

from app.approvals.models import ApprovalDecision, ApprovalRequest, RequestStatus
from app.audit.models import AuditEvent
from app.auth.permissions import Role
from app.kit.db import Database
from app.notifications.models import Notification, NotificationKind


@pytest.fixture
def desk(client: httpx.AsyncClient, world: World, database: Database) -> Desk:
    return Desk(client, world, database)


def states(review: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(s["review"], s["state"], s["approvals"]) for s in review["request"]["steps"]]


async def decided_events(database: Database) -> list[dict[str, Any]]:
    async with database.session_scope() as session:
        rows = await session.execute(
            select(AuditEvent)
            .where(col(AuditEvent.action) == "approval.decided")
            .order_by(col(AuditEvent.seq))
        )
        return [{**e.details, "actor_id": e.actor_id} for e in rows.scalars()]


class TestOrderedSteps:
    async def test_patient_story_medical_then_privacy(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        post = await desk.submitted("patient_story")
        review = await desk.review(post["id"])
        assert states(review) == [("medical", "current", 0), ("privacy", "waiting", 0)]
        # the privacy officer cannot jump ahead
        body = assert_problem(await desk.decide(post["id"], Role.privacy_officer), 403)
        assert "review.medical" in body["detail"]
        first = await desk.decide(post["id"], Role.medical_reviewer, comment="Fachlich korrekt.")
        assert first.status_code == 200, first.text
        assert first.json()["post"]["status"] == "in_review"
        assert states(first.json()) == [("medical", "done", 1), ("privacy", "current", 0)]
        assert_problem(await desk.decide(post["id"], Role.medical_reviewer), 403)
        second = await desk.decide(post["id"], Role.privacy_officer)
        body = second.json()
        assert body["post"]["status"] == "approved"
        assert body["post"]["approval_current"] is True
        assert body["post"]["approved_by_id"] == str(world.user(Role.privacy_officer).id)
        assert body["request"]["status"] == "approved"
        assert [(d["review"], d["decision"], d["comment"]) for s in body["request"]["steps"]
                for d in s["decisions"]] == [("medical", "approve", "Fachlich korrekt."),
                                             ("privacy", "approve", None)]  # fmt: skip
        events = await decided_events(database)
        assert [(e["step"], e["review"], e["decision"], e["comment_length"]) for e in events] == [
            (0, "medical", "approve", 17),
            (1, "privacy", "approve", 0),
        ]
        assert events[0]["actor_id"] == world.user(Role.medical_reviewer).id
        assert "Fachlich" not in str(events)  # the audit log keeps no content
        scheduled = await desk.client.post(
            f"{POSTS}/{post['id']}/schedule", json={"scheduled_local": "2030-03-01T09:30"},
            headers=await desk.headers(Role.editor),
        )  # fmt: skip
        assert scheduled.json()["status"] == "scheduled", scheduled.text

    async def test_reviewers_and_author_are_notified(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        post = await desk.submitted("patient_story")
        await desk.decide(post["id"], Role.medical_reviewer)
        async with database.session_scope() as session:
            rows = list((await session.execute(select(Notification))).scalars())
        requested = {
            (n.user_id, n.kind) for n in rows if n.kind is NotificationKind.review_requested
        }
        # step 1: medical reviewers (the physician, the admin); step 2: privacy officer, admin
        assert requested == {
            (world.user(Role.medical_reviewer).id, NotificationKind.review_requested),
            (world.user(Role.privacy_officer).id, NotificationKind.review_requested),
            (world.user(Role.admin).id, NotificationKind.review_requested),
        }
        decided = [n for n in rows if n.kind is NotificationKind.review_decided]
        assert [n.user_id for n in decided] == [world.user(Role.editor).id]
        assert decided[0].link == f"/beitraege/{post['id']}"


class TestNOfRole:
    async def test_a_step_needs_n_distinct_approvers(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        policy = await desk.policy(
            [{"review": "comms", "required_approvals": 2}], "jobs", world.clinic_a.id
        )
        assert policy.status_code == 201
        second_lead = await add_user(database, world, Role.comms_lead, world.clinic_a.id, "lead2")
        post = await desk.submitted("jobs")
        first = await desk.decide(post["id"], Role.comms_lead)
        assert first.json()["post"]["status"] == "in_review"
        assert states(first.json()) == [("comms", "current", 1)]
        again = await desk.decide(post["id"], Role.comms_lead)
        assert "bereits" in assert_problem(again, 409)["detail"]
        assert await count(database, ApprovalDecision) == 1
        done = await desk.decide(post["id"], second_lead)
        assert done.json()["post"]["status"] == "approved"
        assert states(done.json()) == [("comms", "done", 2)]

    async def test_a_reviewer_of_another_clinic_cannot_count(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        lead_b = await add_user(database, world, Role.comms_lead, world.clinic_b.id, "leadb")
        post = await desk.submitted("jobs")
        assert_problem(await desk.decide(post["id"], lead_b), 404)
        assert await count(database, ApprovalDecision) == 0


class TestFourEyes:
    async def test_the_author_never_decides(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        post = await desk.submitted("health_tip", author=Role.admin)
        for decision, comment in (("approve", None), ("reject", "Nein")):
            response = await desk.decide(post["id"], Role.admin, decision, comment)
            assert "Vier-Augen" in assert_problem(response, 403)["detail"]
        review = await desk.review(post["id"], Role.admin)
        assert review["can_decide"] is False
        assert review["cannot_decide_reason"] == "author"
        assert [r["id"] for r in review["eligible_reviewers"]] == [
            str(world.user(Role.medical_reviewer).id)
        ]
        assert await count(database, ApprovalDecision) == 0
        assert (await desk.review(post["id"], Role.medical_reviewer))["can_decide"] is True

    @pytest.mark.parametrize("role", [Role.editor, Role.comms_lead, Role.privacy_officer])
    async def test_roles_without_the_steps_permission(
        self, role: Role, desk: Desk, database: Database
    ) -> None:
        post = await desk.submitted("health_tip", author=Role.admin)  # nobody's own post here
        assert (
            "review.medical" in assert_problem(await desk.decide(post["id"], role), 403)["detail"]
        )
        assert await count(database, ApprovalDecision) == 0
        assert (await desk.review(post["id"], role))["cannot_decide_reason"] == "role"

    async def test_other_organization_gets_404(self, desk: Desk, database: Database) -> None:
        post = await desk.submitted("health_tip")
        other = await desk.headers(OTHER_ADMIN)
        assert_problem(await desk.client.get(f"{POSTS}/{post['id']}/review", headers=other), 404)
        request_id = (await desk.review(post["id"]))["request"]["id"]
        assert_problem(await desk.decide(post["id"], OTHER_ADMIN, request_id=request_id), 404)
        assert await count(database, ApprovalDecision) == 0


class TestDecisions:
    async def test_request_changes_and_reject_need_a_comment(
        self, desk: Desk, database: Database
    ) -> None:
        post = await desk.submitted("health_tip")
        for decision in ("request_changes", "reject"):
            for comment in (None, "   "):
                body = assert_problem(
                    await desk.decide(post["id"], Role.medical_reviewer, decision, comment), 422
                )
                assert body["errors"][0]["field"] == "body.comment"
        bad = await desk.decide(post["id"], Role.medical_reviewer, "maybe")
        assert_problem(bad, 422)
        assert await count(database, ApprovalDecision) == 0
        changes = await desk.decide(post["id"], Role.medical_reviewer, "request_changes", "Quelle?")
        assert changes.json()["post"]["status"] == "changes_requested"
        assert changes.json()["request"]["status"] == "changes_requested"
        assert states(changes.json()) == [("medical", "stopped", 0)]
        # resubmitted: a new request; the earlier one with its comment is history
        resubmit = await desk.client.post(
            f"{POSTS}/{post['id']}/submit", headers=await desk.headers(Role.editor)
        )
        assert resubmit.json()["status"] == "in_review"
        review = await desk.review(post["id"])
        assert review["request"]["status"] == "pending"
        assert review["history"][0]["decisions"][0]["comment"] == "Quelle?"
        rejected = await desk.decide(post["id"], Role.medical_reviewer, "reject", "Nicht belegt.")
        assert rejected.json()["post"]["status"] == "rejected"
        assert [e["decision"] for e in await decided_events(database)] == [
            "request_changes", "reject",
        ]  # fmt: skip

    async def test_decision_on_an_outdated_version_is_refused(
        self, desk: Desk, database: Database
    ) -> None:
        post = await desk.submitted("health_tip")
        old = (await desk.review(post["id"]))["request"]["id"]
        edited = await desk.client.patch(
            f"{POSTS}/{post['id']}", json={"base_text": "Neuer Text"},
            headers=await desk.headers(Role.editor),
        )  # fmt: skip
        assert edited.json()["status"] == "in_review"
        stale = await desk.decide(post["id"], Role.medical_reviewer, request_id=old)
        assert_problem(stale, 409)
        assert await count(database, ApprovalDecision) == 0
        async with database.session_scope() as session:
            statuses = sorted(
                r.status.value for r in (await session.execute(select(ApprovalRequest))).scalars()
            )
        assert statuses == ["pending", "superseded"]

    async def test_cancel_closes_the_request(self, desk: Desk, database: Database) -> None:
        post = await desk.submitted("jobs")
        cancelled = await desk.client.post(
            f"{POSTS}/{post['id']}/cancel", headers=await desk.headers(Role.editor)
        )
        assert cancelled.json()["status"] == "cancelled"
        assert (
            await count(
                database, ApprovalRequest, col(ApprovalRequest.status) == RequestStatus.cancelled
            )
            == 1
        )
        assert (await desk.queue(Role.comms_lead))["total"] == 0
        assert_problem(await desk.decide(post["id"], Role.comms_lead), 409)


class TestReReview:
    async def test_edit_after_approval_restarts_review_with_a_diff(
        self, desk: Desk, world: World
    ) -> None:
        post = await desk.submitted("health_tip", text="Impfen schützt ältere Menschen.")
        await desk.approve_all(post["id"])
        assert (await desk.review(post["id"], Role.medical_reviewer))["diff"]["fields"] == []
        edited = await desk.client.patch(
            f"{POSTS}/{post['id']}", json={"base_text": "Impfen schützt alle Menschen."},
            headers=await desk.headers(Role.editor),
        )  # fmt: skip
        assert edited.json()["status"] == "in_review"
        assert edited.json()["approval_current"] is False
        review = await desk.review(post["id"], Role.medical_reviewer)
        assert review["can_decide"] is True
        assert review["request"]["content_version"] == edited.json()["content_version"]
        assert review["diff"]["base_reason"] == "approved"
        assert review["diff"]["base_version"] == post["content_version"]
        fields = {f["field"]: f["segments"] for f in review["diff"]["fields"]}
        assert fields["base_text"] == [
            {"op": "equal", "text": "Impfen schützt "},
            {"op": "delete", "text": "ältere"},
            {"op": "insert", "text": "alle"},
            {"op": "equal", "text": " Menschen."},
        ]
        channel = next(iter(desk.channels.values()))
        assert f"variant:{channel}" in fields  # the channel shows the base text
        assert "title" not in fields
        assert [t["key"] for t in review["texts"]] == ["base", str(channel)]
        approved = await desk.approve_all(post["id"])
        assert approved["approval_current"] is True

    async def test_edit_during_review_starts_over_and_shows_your_approved_version(
        self, desk: Desk, world: World, database: Database
    ) -> None:
        post = await desk.submitted("patient_story", text="Frau K. erzählt.")
        await desk.decide(post["id"], Role.medical_reviewer)
        await desk.client.patch(
            f"{POSTS}/{post['id']}", json={"base_text": "Frau K. erzählt gern."},
            headers=await desk.headers(Role.editor),
        )  # fmt: skip
        mine = await desk.review(post["id"], Role.medical_reviewer)
        assert states(mine) == [("medical", "current", 0), ("privacy", "waiting", 0)]
        assert mine["diff"]["base_reason"] == "your_approval"
        [change] = [f for f in mine["diff"]["fields"] if f["field"] == "base_text"]
        assert {"op": "insert", "text": " gern"} in change["segments"]
        theirs = await desk.review(post["id"], Role.privacy_officer)
        assert theirs["diff"] == {"base_request_id": None, "base_version": None,
                                  "base_reason": None, "fields": []}  # fmt: skip
        assert theirs["cannot_decide_reason"] == "role"
        assert [h["status"] for h in mine["history"]] == ["superseded"]
