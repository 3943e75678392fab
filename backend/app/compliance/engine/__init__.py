"""The compliance checker's text engine: a pure function from text to findings.

No I/O, no model downloads, no database: everything it needs ships with the code or its
packages (word lists in ``data/``, first names from Faker's locale providers, phone metadata
from ``phonenumbers``, IBAN rules from ``python-stdnum``), loaded once at import. Rules that
need stored facts (consent records, media alt texts, platform limits, overrides) live in
``app.compliance.service`` and add their findings beside these.

Layers (compliance.md PII-1): normalise with an offset map (``text``), recognisers that emit
labelled spans (``identifiers``, ``health``, ``persons``, ``replies``, ``hwg``), and a decision
layer (``checker``) that applies the FEAT-2 model and maps spans back to the original text.
"""

from __future__ import annotations

from app.compliance.engine import checker as _checker
from app.compliance.engine.findings import AllowList, Finding, Kind, Severity

RULESET_VERSION = "2026-11-25.2"
"""Bumped with every rule change; stored with each finding so regressions can be traced."""


def check_text(
    text: str,
    *,
    kind: Kind = "post",
    language: str | None = None,
    category: str | None = None,
    allow: AllowList | None = None,
) -> list[Finding]:
    """Findings for ``text`` sorted by ``start`` (whole-text findings last)."""
    return _checker.check(text, kind=kind, language=language, category=category, allow=allow)


__all__ = ["RULESET_VERSION", "AllowList", "Finding", "Kind", "Severity", "check_text"]
