"""POST /compliance/check and GET /compliance/rules."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from compliance.support import CHECK, Api, add_channel, api
from fixtures.consents import make_consent
from fixtures.helpers import assert_problem, audit_actions
from fixtures.world import OTHER_ADMIN, World

from app.auth.permissions import Role
from app.compliance import service as compliance_module
from app.compliance.engine import Finding
from app.connectors.base import Platform
from app.kit.db import Database
from app.kit.time import utc_now

__all__ = ["api"]


class TestCheck:
    async def test_clean_text_has_no_findings_and_names_the_ruleset(self, api: Api) -> None:
        response = await api.call(Role.editor, "POST", CHECK, {"text": "Tag der offenen Tür."})
        assert response.status_code == 200, response.text
        assert response.json()["findings"] == []
        assert response.json()["ruleset_version"].startswith("engine-")

    async def test_engine_spans_are_offsets_into_the_text_as_sent(
        self, api: Api, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The text engine is built elsewhere; a stand-in rule shows the plumbing.
        def fake(text: str, **kw: object) -> list[Finding]:
            at = text.index("Herr Muster")
            return [Finding("phi.person_context", "block", "Name mit Patientenbezug.", at, at + 11)]

        monkeypatch.setattr(compliance_module.engine, "check_text", fake)
        text = "  Gute Besserung, Herr Muster!"
        response = await api.call(Role.editor, "POST", CHECK, {"text": text})
        [finding] = response.json()["findings"]
        assert text[finding["start"] : finding["end"]] == "Herr Muster"
        assert finding["severity"] == "block"

    async def test_alt_text_platform_and_consent_findings(
        self, api: Api, database: Database, world: World
    ) -> None:
        bluesky = await add_channel(database, world.clinic_a, Platform.BLUESKY, name="Bluesky A")
        body = {
            "text": "x" * 301,
            "channels": [str(bluesky)],
            "category": "patient_story",
            "media": [{"alt_text": "Das Foyer"}, {"alt_text": "  "}],
        }
        response = await api.call(Role.editor, "POST", CHECK, body)
        assert response.status_code == 200, response.text
        findings = response.json()["findings"]
        by_rule = {f["rule"]: f for f in findings}
        assert by_rule["a11y.alt_text"]["media_index"] == 1
        assert by_rule["platform.length"]["channel_id"] == str(bluesky)
        assert by_rule["platform.length"]["severity"] == "block"
        assert "start" not in by_rule["platform.length"]  # about the whole post
        assert by_rule["consent.missing"]["severity"] == "block"
        assert len([f for f in findings if f["rule"] == "a11y.alt_text"]) == 1

    async def test_media_tagged_patient_needs_consent_replies_do_not(self, api: Api) -> None:
        body = {"text": "Danke!", "media": [{"alt_text": "Ein Lächeln", "tags": ["patient"]}]}
        response = await api.call(Role.editor, "POST", CHECK, body)
        assert [f["rule"] for f in response.json()["findings"]] == ["consent.missing"]
        response = await api.call(Role.moderator, "POST", CHECK, {**body, "kind": "reply"})
        assert response.status_code == 200, response.text
        assert response.json()["findings"] == []

    async def test_consent_ids_are_judged_at_the_scheduled_time(
        self, api: Api, database: Database, world: World
    ) -> None:
        body = {"text": "Frau K. erzählt.", "category": "behind_the_scenes", "shows_patient": True}
        unknown = await api.call(
            Role.editor, "POST", CHECK, {**body, "consent_ids": [str(uuid.uuid4())]}
        )
        assert assert_problem(unknown, 422)["errors"][0]["field"] == "body.consent_ids.0"
        elsewhere = await make_consent(database, world, clinic=world.other_clinic)
        foreign = await api.call(
            Role.editor, "POST", CHECK, {**body, "consent_ids": [str(elsewhere.id)]}
        )
        assert assert_problem(foreign, 422)["errors"][0]["field"] == "body.consent_ids.0"

        ended = await make_consent(
            database, world, valid_from=utc_now() - timedelta(days=30),
            valid_until=utc_now() - timedelta(days=1), categories=[],  # every purpose
        )  # fmt: skip
        response = await api.call(
            Role.editor, "POST", CHECK, {**body, "consent_ids": [str(ended.id)]}
        )
        assert [f["rule"] for f in response.json()["findings"]] == ["consent.expired"]
        later = (utc_now() - timedelta(days=2)).isoformat()
        response = await api.call(
            Role.editor,
            "POST",
            CHECK,
            {**body, "consent_ids": [str(ended.id)], "scheduled_at": later},
        )
        assert response.json()["findings"] == []

    async def test_channel_of_another_organization_or_outside_the_scope_is_422(
        self, api: Api, database: Database, world: World
    ) -> None:
        other = await add_channel(database, world.other_clinic, name="Anderswo")
        clinic_b = await add_channel(database, world.clinic_b, name="Mastodon B")
        response = await api.call(
            Role.editor, "POST", CHECK, {"text": "Hallo", "channels": [str(other)]}
        )
        assert assert_problem(response, 422)["errors"][0]["field"] == "body.channels.0"
        # The moderator works the inbox of clinic A only.
        response = await api.call(
            Role.moderator,
            "POST",
            CHECK,
            {"text": "Hallo", "kind": "reply", "channels": [str(clinic_b)]},
        )
        assert_problem(response, 422)
        response = await api.call(
            OTHER_ADMIN, "POST", CHECK, {"text": "Hallo", "channels": [str(clinic_b)]}
        )
        assert_problem(response, 422)

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"text": "x" * 10001},
            {"text": "ok", "kind": "tweet"},
            {"text": "ok", "language": "deutsch"},
            {"text": "ok", "media": [{"alt_text": "a", "kind": "pdf"}]},
            {"text": "ok", "channels": ["nope"]},
            {"text": "ok", "scheduled_at": "2026-12-01T09:00:00"},
            {"text": "ok", "unknown": True},
        ],
    )
    async def test_bad_input_is_422(self, api: Api, body: dict[str, object]) -> None:
        assert_problem(await api.call(Role.editor, "POST", CHECK, body), 422)

    @pytest.mark.parametrize("role", [Role.analyst, Role.comms_lead, Role.privacy_officer])
    async def test_roles_without_writing_are_403_and_audited(
        self, api: Api, database: Database, role: Role
    ) -> None:
        assert_problem(await api.call(role, "POST", CHECK, {"text": "Hallo"}), 403)
        assert "auth.forbidden" in await audit_actions(database)

    async def test_anonymous_is_401(self, api: Api) -> None:
        assert_problem(await api.client.post(CHECK, json={"text": "Hallo"}), 401)


class TestRules:
    async def test_lists_rules_with_severity_and_both_languages(self, api: Api) -> None:
        response = await api.call(Role.analyst, "GET", "/api/v1/compliance/rules")
        assert response.status_code == 200, response.text
        rules = {r["rule"]: r for r in response.json()["items"]}
        assert rules["a11y.alt_text"]["severity"] == "block"
        assert rules["a11y.alt_text"]["overridable"] is False
        assert rules["consent.expired"]["overridable"] is True
        assert rules["pii.*"]["family"] is True
        assert rules["pii.*"]["severity"] is None
        assert all(r["description_de"] and r["description_en"] for r in rules.values())

    async def test_anonymous_is_401(self, api: Api) -> None:
        assert_problem(await api.client.get("/api/v1/compliance/rules"), 401)
