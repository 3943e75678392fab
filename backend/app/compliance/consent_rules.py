"""Consent rules of FEAT-4 over plain facts: pure, no database.

A ``patient_story`` or a post flagged as showing a patient needs a linked consent that, at the
scheduled instant, is in force (not before ``valid_from``, not after ``valid_until``, not
withdrawn), covers the post's category and covers every target channel. The consent tables feed
``ConsentFacts`` through ``app.compliance.service.load_consent_facts``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.compliance.engine import Severity

NEEDS_CONSENT_CATEGORIES = frozenset({"patient_story"})


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    """What the rules need to know about one consent record. Empty ``channel_ids`` or
    ``purposes`` mean the consent is not limited in that respect."""

    id: uuid.UUID
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    withdrawn_at: datetime | None = None
    channel_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    purposes: frozenset[str] = field(default_factory=frozenset)

    def in_force(self, instant: datetime) -> bool:
        if self.withdrawn_at is not None and self.withdrawn_at <= instant:
            return False
        if self.valid_from is not None and instant < self.valid_from:
            return False
        return self.valid_until is None or instant <= self.valid_until

    def covers_purpose(self, category: str | None) -> bool:
        return not self.purposes or (category is not None and category in self.purposes)

    def covers_channel(self, channel_id: uuid.UUID) -> bool:
        return not self.channel_ids or channel_id in self.channel_ids


@dataclass(frozen=True, slots=True)
class ConsentFinding:
    """A consent problem of the whole post (``channel_id`` None) or of one target channel.
    ``key`` names what was judged (consent ids, channel) so an override fits exactly it."""

    rule: str
    severity: Severity
    message: str
    channel_id: uuid.UUID | None = None
    key: str = ""


def needs_consent(category: str | None, shows_patient: bool) -> bool:
    return shows_patient or category in NEEDS_CONSENT_CATEGORIES


def _fmt(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M UTC")


def _why_not_in_force(consents: Sequence[ConsentFacts], instant: datetime) -> str:
    if any(c.withdrawn_at is not None and c.withdrawn_at <= instant for c in consents):
        return "widerrufen"
    if any(c.valid_from is not None and instant < c.valid_from for c in consents) and not any(
        c.valid_until is not None and c.valid_until < instant for c in consents
    ):
        return "noch nicht gültig"
    return "abgelaufen"


def consent_findings(
    *,
    category: str | None,
    shows_patient: bool,
    scheduled_at: datetime,
    target_channel_ids: Sequence[uuid.UUID],
    consents: Sequence[ConsentFacts],
) -> list[ConsentFinding]:
    """Findings ``consent.missing``, ``consent.expired`` and ``consent.scope`` (all ``block``)
    for a post evaluated at ``scheduled_at`` (the instant it goes out, or now)."""
    if not needs_consent(category, shows_patient):
        return []
    if not consents:
        return [
            ConsentFinding(
                "consent.missing",
                "block",
                "Für eine Patientengeschichte oder einen Beitrag, der Patientinnen oder Patienten "
                "zeigt, ist eine verknüpfte, gültige Einwilligung nötig.",
            )
        ]
    ids = ",".join(sorted(str(c.id) for c in consents))
    in_force = [c for c in consents if c.in_force(scheduled_at)]
    if not in_force:
        why = _why_not_in_force(consents, scheduled_at)
        return [
            ConsentFinding(
                "consent.expired",
                "block",
                f"Die verknüpfte Einwilligung ist zum Veröffentlichungszeitpunkt "
                f"({_fmt(scheduled_at)}) {why}.",
                key=ids,
            )
        ]
    for_purpose = [c for c in in_force if c.covers_purpose(category)]
    if not for_purpose:
        return [
            ConsentFinding(
                "consent.scope",
                "block",
                "Die Einwilligung deckt die Kategorie dieses Beitrags nicht ab.",
                key=f"purpose:{category}:{ids}",
            )
        ]
    return [
        ConsentFinding(
            "consent.scope",
            "block",
            "Die Einwilligung deckt diesen Kanal nicht ab.",
            channel_id=channel_id,
            key=f"channel:{channel_id}:{ids}",
        )
        for channel_id in dict.fromkeys(target_channel_ids)
        if not any(c.covers_channel(channel_id) for c in for_purpose)
    ]
