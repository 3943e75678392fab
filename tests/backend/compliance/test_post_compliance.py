"""Findings of stored posts, the submit gate and privacy officers' overrides (SEC-4)."""

from __future__ import annotations

from typing import Any

import pytest
from compliance.support import POSTS, Api, add_channel, add_image, api, rules_of
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import OTHER_ADMIN, World

from app.audit.models import AuditEvent
from app.auth.permissions import Role
from app.compliance import service as compliance_module
from app.compliance.engine import Finding
from app.compliance.models import ComplianceOverride
from app.connectors.base import Platform
from app.kit.db import Database

__all__ = ["api"]
REASON = "Einwilligung liegt schriftlich im Sekretariat vor, Scan folgt."


async def patient_story(api: Api, database: Database, world: World) -> dict[str, Any]:
    channel = await add_channel(database, world.clinic_a)
    return await api.create(
        [channel], category="patient_story", base_text="Frau K. erzählt von ihrer Reha."
    )


def only(result: dict[str, Any], rule: str) -> dict[str, Any]:
    [finding] = [f for f in result["findings"] if f["rule"] == rule]
    return finding


class TestFindings:
    async def test_clean_post_has_none(self, api: Api, database: Database, world: World) -> None:
        post = await api.create([await add_channel(database, world.clinic_a)])
        result = await api.compliance(post["id"])
        assert result == {
            "post_id": post["id"], "ruleset_version": result["ruleset_version"],
            "blocking": 0, "findings": [],
        }  # fmt: skip

    async def test_alt_text_consent_and_platform_findings(
        self, api: Api, database: Database, world: World
    ) -> None:
        bluesky = await add_channel(database, world.clinic_a, Platform.BLUESKY, name="Bluesky")
        image = await add_image(database, world, world.clinic_a)
        post = await api.create([bluesky], category="patient_story", base_text="x" * 301)
        response = await api.call(
            Role.editor, "PUT", f"{POSTS}/{post['id']}/media",
            {"media": [{"media_id": str(image), "alt_text": ""}]},
        )  # fmt: skip
        assert response.status_code == 200, response.text

        result = await api.compliance(post["id"], Role.medical_reviewer)
        # a patient story also gets the HWG case-history reminder (§ 11 Abs. 1 Nr. 3, warn)
        assert sorted(rules_of(result)) == [
            "a11y.alt_text", "consent.missing", "hwg.case_history", "platform.length",
        ]  # fmt: skip
        alt = only(result, "a11y.alt_text")
        assert (alt["target"], alt["media_id"], alt["overridable"]) == ("media", str(image), False)
        length = only(result, "platform.length")
        assert (length["target"], length["channel_id"]) == ("channel", str(bluesky))
        consent = only(result, "consent.missing")
        assert (consent["target"], consent["overridable"]) == ("post", True)
        assert result["blocking"] == 3

    async def test_channel_text_findings_are_attributed_to_the_channel(
        self, api: Api, database: Database, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A stand-in text rule (the engine is built elsewhere): flags the word "Zimmer".
        def fake(text: str, **kw: object) -> list[Finding]:
            at = text.find("Zimmer")
            return [] if at < 0 else [Finding("phi.room", "block", "Zimmer.", at, at + 6)]

        monkeypatch.setattr(compliance_module.engine, "check_text", fake)
        first = await add_channel(database, world.clinic_a, name="Eins")
        second = await add_channel(database, world.clinic_a, name="Zwei")
        post = await api.create([first, second])
        response = await api.call(
            Role.editor, "PUT", f"{POSTS}/{post['id']}/variants",
            {"variants": [{"channel_id": str(first)},
                          {"channel_id": str(second), "text_override": "Grüße an Zimmer 12"}]},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        [finding] = (await api.compliance(post["id"]))["findings"]
        assert (finding["target"], finding["channel_id"]) == ("channel", str(second))
        assert (finding["start"], finding["end"]) == (9, 15)

    async def test_other_clinic_and_organization_are_404(
        self, api: Api, database: Database, world: World
    ) -> None:
        post = await patient_story(api, database, world)
        response = await api.call(OTHER_ADMIN, "GET", f"{POSTS}/{post['id']}/compliance")
        assert_problem(response, 404)
        response = await api.call(Role.analyst, "GET", f"{POSTS}/{post['id']}/compliance")
        assert_problem(response, 403)


class TestSubmitGate:
    async def test_block_refuses_submission_and_changes_nothing(
        self, api: Api, database: Database, world: World
    ) -> None:
        post = await patient_story(api, database, world)
        response = await api.call(Role.editor, "POST", f"{POSTS}/{post['id']}/submit")
        body = assert_problem(response, 422)
        assert "blockiert die Einreichung" in body["detail"]
        assert [(e["field"], e["type"]) for e in body["errors"]] == [
            ("compliance.post", "consent.missing")
        ]
        after = await api.call(Role.editor, "GET", f"{POSTS}/{post['id']}")
        assert after.json()["status"] == "draft"
        assert "post.submitted" not in await audit_actions(database)

    async def test_privacy_officer_override_lets_it_pass_and_reviewers_see_it(
        self, api: Api, database: Database, world: World
    ) -> None:
        post = await patient_story(api, database, world)
        finding = only(await api.compliance(post["id"]), "consent.missing")

        response = await api.override(post["id"], finding["fingerprint"], REASON)
        assert response.status_code == 201, response.text
        assert response.json()["reason"] == REASON

        seen = only(await api.compliance(post["id"], Role.comms_lead), "consent.missing")
        assert seen["overridden"]["reason"] == REASON
        assert seen["overridden"]["by_id"] == str(world.user(Role.privacy_officer).id)
        assert seen["overridden"]["by_name"]
        response = await api.call(Role.editor, "POST", f"{POSTS}/{post['id']}/submit")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "in_review"
        async with database.session_scope() as session:
            from sqlalchemy import select

            event = (
                await session.execute(
                    select(AuditEvent).where(AuditEvent.action == "compliance.override_created")
                )
            ).scalar_one()
        assert event.actor_id == world.user(Role.privacy_officer).id
        assert event.details["rule"] == "consent.missing"
        assert REASON not in str(event.details)  # the length only, the text stays in its table

    @pytest.mark.parametrize(
        "role", [Role.editor, Role.comms_lead, Role.admin, Role.medical_reviewer]
    )
    async def test_only_privacy_officers_override(
        self, api: Api, database: Database, world: World, role: Role
    ) -> None:
        post = await patient_story(api, database, world)
        finding = only(await api.compliance(post["id"]), "consent.missing")
        assert_problem(await api.override(post["id"], finding["fingerprint"], REASON, role), 403)
        assert await count(database, ComplianceOverride) == 0
        assert "auth.forbidden" in await audit_actions(database)

    @pytest.mark.parametrize("reason", [None, "", "zu kurz", "         kurz       "])
    async def test_reason_missing_or_short_is_422(
        self, api: Api, database: Database, world: World, reason: str | None
    ) -> None:
        post = await patient_story(api, database, world)
        finding = only(await api.compliance(post["id"]), "consent.missing")
        body: dict[str, Any] = {"fingerprint": finding["fingerprint"]}
        if reason is not None:
            body["reason"] = reason
        response = await api.call(
            Role.privacy_officer, "POST", f"{POSTS}/{post['id']}/compliance/overrides", body
        )
        assert_problem(response, 422)
        assert await count(database, ComplianceOverride) == 0

    async def test_unknown_or_unfixable_findings_cannot_be_overridden(
        self, api: Api, database: Database, world: World
    ) -> None:
        bluesky = await add_channel(database, world.clinic_a, Platform.BLUESKY, name="Bluesky")
        post = await api.create([bluesky], base_text="x" * 301)
        length = only(await api.compliance(post["id"]), "platform.length")
        assert length["overridable"] is False
        body = assert_problem(await api.override(post["id"], length["fingerprint"], REASON), 422)
        assert body["errors"][0]["type"] == "not_overridable"
        body = assert_problem(await api.override(post["id"], "0" * 64, REASON), 422)
        assert body["errors"][0]["type"] == "not_found"

    async def test_twice_is_409_and_revoking_blocks_again(
        self, api: Api, database: Database, world: World
    ) -> None:
        post = await patient_story(api, database, world)
        fingerprint = only(await api.compliance(post["id"]), "consent.missing")["fingerprint"]
        created = (await api.override(post["id"], fingerprint, REASON)).json()
        assert_problem(await api.override(post["id"], fingerprint, REASON), 409)

        path = f"{POSTS}/{post['id']}/compliance/overrides/{created['id']}"
        assert_problem(await api.call(Role.editor, "DELETE", path), 403)
        response = await api.call(Role.privacy_officer, "DELETE", path)
        assert response.status_code == 204, response.text
        assert_problem(await api.call(Role.privacy_officer, "DELETE", path), 404)
        assert (await api.compliance(post["id"]))["blocking"] == 1
        assert_problem(await api.call(Role.editor, "POST", f"{POSTS}/{post['id']}/submit"), 422)
        assert "compliance.override_revoked" in await audit_actions(database)

    async def test_other_organization_cannot_override(
        self, api: Api, database: Database, world: World
    ) -> None:
        post = await patient_story(api, database, world)
        fingerprint = only(await api.compliance(post["id"]), "consent.missing")["fingerprint"]
        response = await api.call(
            OTHER_ADMIN, "POST", f"{POSTS}/{post['id']}/compliance/overrides",
            {"fingerprint": fingerprint, "reason": REASON},
        )  # fmt: skip
        assert response.status_code in (403, 404)
        assert await count(database, ComplianceOverride) == 0


class TestOverrideBinding:
    async def test_survives_unrelated_edits_not_a_change_of_the_words(
        self, api: Api, database: Database, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A stand-in text rule (the engine is built elsewhere): a name tied to a ward.
        def fake(text: str, **kw: object) -> list[Finding]:
            for words in ("Herr Muster, Station 3", "Herr Beispiel, Station 3"):
                at = text.find(words)
                if at >= 0:
                    return [
                        Finding(
                            "phi.person_ward", "block", "Name und Station.", at, at + len(words)
                        )
                    ]
            return []

        monkeypatch.setattr(compliance_module.engine, "check_text", fake)
        channel = await add_channel(database, world.clinic_a)
        post = await api.create([channel], base_text="Danke an Herr Muster, Station 3!")
        finding = only(await api.compliance(post["id"]), "phi.person_ward")
        assert (await api.override(post["id"], finding["fingerprint"], REASON)).status_code == 201

        path = f"{POSTS}/{post['id']}"
        edit = {"base_text": "Ein großes Danke an Herr Muster, Station 3!", "title": "Neu"}
        assert (await api.call(Role.editor, "PATCH", path, edit)).status_code == 200
        moved = only(await api.compliance(post["id"]), "phi.person_ward")
        assert moved["start"] == 20
        assert moved["overridden"] is not None

        edit = {"base_text": "Ein großes Danke an Herr Beispiel, Station 3!"}
        assert (await api.call(Role.editor, "PATCH", path, edit)).status_code == 200
        changed = only(await api.compliance(post["id"]), "phi.person_ward")
        assert changed["overridden"] is None
        assert changed["fingerprint"] != finding["fingerprint"]
        assert_problem(await api.call(Role.editor, "POST", f"{path}/submit"), 422)
