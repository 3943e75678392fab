"""The engine's public value types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["block", "warn"]
Kind = Literal["post", "reply"]


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
    addresses and street addresses, and staff names (a staff name alone never blocks anyway).
    An e-mail entry of the form ``@klinikum.example`` allows the whole domain."""

    phones: frozenset[str] = field(default_factory=frozenset)
    emails: frozenset[str] = field(default_factory=frozenset)
    addresses: frozenset[str] = field(default_factory=frozenset)
    staff_names: frozenset[str] = field(default_factory=frozenset)
