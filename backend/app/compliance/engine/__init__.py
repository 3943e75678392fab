"""The compliance checker's text engine: a pure function from text to findings.

No I/O, no model downloads, no database: everything it needs ships with the code or its
packages. Rules that need stored facts (consent records, media alt texts, platform limits,
overrides) live in ``app.compliance.service`` and add their findings beside these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["block", "warn"]
Kind = Literal["post", "reply"]

RULESET_VERSION = "0"
"""Bumped with every rule change; stored with each finding so regressions can be traced."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a text: a stable dotted rule id (``pii.phone``, ``hwg.no_side_effects``),
    its severity, a message a person understands (German), and the character span in the text
    (``start`` inclusive, ``end`` exclusive; both ``None`` for findings about the whole text)."""

    rule: str
    severity: Severity
    message: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class AllowList:
    """Facts of the organization that are never personal data: its own phone numbers, e-mail
    addresses and street addresses, and staff names (a staff name alone never blocks anyway)."""

    phones: frozenset[str] = field(default_factory=frozenset)
    emails: frozenset[str] = field(default_factory=frozenset)
    addresses: frozenset[str] = field(default_factory=frozenset)
    staff_names: frozenset[str] = field(default_factory=frozenset)


def check_text(
    text: str,
    *,
    kind: Kind = "post",
    language: str | None = None,
    category: str | None = None,
    allow: AllowList | None = None,
) -> list[Finding]:
    """Findings for ``text`` sorted by ``start`` (whole-text findings last)."""
    return []
