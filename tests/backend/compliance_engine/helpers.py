"""Small helpers for the engine tests."""

from __future__ import annotations

from app.compliance.engine import AllowList, Finding, Kind, check_text


def findings(text: str, kind: Kind = "post", **kwargs: object) -> list[Finding]:
    return check_text(text, kind=kind, **kwargs)  # type: ignore[arg-type]


def rules(text: str, kind: Kind = "post", **kwargs: object) -> dict[str, str]:
    """rule id -> the strongest severity found for it."""
    out: dict[str, str] = {}
    for f in findings(text, kind, **kwargs):
        if out.get(f.rule) != "block":
            out[f.rule] = f.severity
    return out


def blocks(
    text: str, kind: Kind = "post", allow: AllowList | None = None, **kwargs: object
) -> bool:
    return any(f.severity == "block" for f in findings(text, kind, allow=allow, **kwargs))


def covered(text: str, needle: str, rule: str, kind: Kind = "post", **kwargs: object) -> bool:
    """Some finding of ``rule`` overlaps the first occurrence of ``needle``."""
    start = text.index(needle)
    end = start + len(needle)
    return any(
        f.rule == rule
        and f.start is not None
        and f.end is not None
        and f.start < end
        and start < f.end
        for f in findings(text, kind, **kwargs)
    )
