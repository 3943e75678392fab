"""The consent rules of FEAT-4 over plain facts (no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from app.compliance.consent_rules import ConsentFacts, consent_findings, needs_consent

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FB, IG = uuid.uuid4(), uuid.uuid4()


def check(consents: list[ConsentFacts], **kw: object) -> list[tuple[str, uuid.UUID | None]]:
    args: dict[str, object] = {
        "category": "patient_story", "shows_patient": False, "scheduled_at": AT,
        "target_channel_ids": [FB, IG], "consents": consents, **kw,
    }  # fmt: skip
    return [(f.rule, f.channel_id) for f in consent_findings(**args)]  # type: ignore[arg-type]


def consent(**kw: object) -> ConsentFacts:
    return ConsentFacts(id=uuid.uuid4(), **kw)  # type: ignore[arg-type]


class TestNeedsConsent:
    def test_patient_story_or_shown_patient_only(self) -> None:
        assert needs_consent("patient_story", False)
        assert needs_consent("health_tip", True)
        assert not needs_consent("health_tip", False)
        assert not needs_consent(None, False)

    def test_other_posts_have_no_consent_findings(self) -> None:
        assert check([], category="jobs") == []


class TestMissing:
    def test_patient_story_without_consent_blocks(self) -> None:
        [finding] = consent_findings(
            category="patient_story", shows_patient=False, scheduled_at=AT,
            target_channel_ids=[FB], consents=[],
        )  # fmt: skip
        assert (finding.rule, finding.severity, finding.channel_id) == (
            "consent.missing", "block", None,
        )  # fmt: skip
        assert "Einwilligung" in finding.message

    def test_flag_shows_patient_needs_consent_in_any_category(self) -> None:
        assert check([], category="event", shows_patient=True) == [("consent.missing", None)]


class TestValidity:
    def test_unlimited_consent_in_force_passes(self) -> None:
        assert check([consent()]) == []

    def test_valid_window_is_inclusive_at_the_end(self) -> None:
        assert check([consent(valid_from=AT - timedelta(days=1), valid_until=AT)]) == []

    def test_expired_before_the_scheduled_instant(self) -> None:
        findings = consent_findings(
            category="patient_story", shows_patient=False, scheduled_at=AT,
            target_channel_ids=[FB], consents=[consent(valid_until=AT - timedelta(seconds=1))],
        )  # fmt: skip
        assert [(f.rule, f.severity) for f in findings] == [("consent.expired", "block")]
        assert "abgelaufen" in findings[0].message

    def test_not_yet_valid(self) -> None:
        [finding] = consent_findings(
            category="patient_story", shows_patient=False, scheduled_at=AT,
            target_channel_ids=[], consents=[consent(valid_from=AT + timedelta(hours=1))],
        )  # fmt: skip
        assert finding.rule == "consent.expired"
        assert "noch nicht gültig" in finding.message

    def test_withdrawn_before_the_instant_blocks_withdrawn_later_not_yet(self) -> None:
        assert check([consent(withdrawn_at=AT - timedelta(minutes=1))]) == [
            ("consent.expired", None)
        ]
        assert check([consent(withdrawn_at=AT + timedelta(days=1))]) == []

    def test_one_valid_consent_among_expired_ones_suffices(self) -> None:
        assert check([consent(valid_until=AT - timedelta(days=1)), consent()]) == []


class TestScope:
    def test_every_target_channel_must_be_covered(self) -> None:
        assert check([consent(channel_ids=frozenset({FB}))]) == [("consent.scope", IG)]

    def test_two_consents_together_cover_both_channels(self) -> None:
        assert (
            check([consent(channel_ids=frozenset({FB})), consent(channel_ids=frozenset({IG}))])
            == []
        )

    def test_expired_consent_does_not_cover_its_channel(self) -> None:
        result = check(
            [consent(channel_ids=frozenset({FB})),
             consent(channel_ids=frozenset({IG}), valid_until=AT - timedelta(days=1))]
        )  # fmt: skip
        assert result == [("consent.scope", IG)]

    def test_purpose_must_include_the_category(self) -> None:
        assert check([consent(purposes=frozenset({"jobs"}))]) == [("consent.scope", None)]
        assert check([consent(purposes=frozenset({"patient_story", "jobs"}))]) == []

    def test_keys_differ_per_channel_and_consent(self) -> None:
        first = consent(channel_ids=frozenset({FB}))
        findings = consent_findings(
            category="patient_story", shows_patient=False, scheduled_at=AT,
            target_channel_ids=[FB, IG, IG], consents=[first],
        )  # fmt: skip
        assert len(findings) == 1  # duplicate targets counted once
        assert str(IG) in findings[0].key
        assert str(first.id) in findings[0].key
