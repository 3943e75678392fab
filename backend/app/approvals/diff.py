"""Word-level differences between two approval snapshots, per field (``difflib``)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")

Segment = dict[str, str]


def word_diff(before: str, after: str) -> list[Segment]:
    """Segments ``{op: equal|insert|delete, text}`` that read ``before`` when the inserts are
    dropped and ``after`` when the deletes are dropped; whitespace is kept."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    segments: list[Segment] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1]["op"] == op:
            segments[-1]["text"] += text
        else:
            segments.append({"op": op, "text": text})

    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", old[i1:i2])
        else:
            add("delete", old[i1:i2])
            add("insert", new[j1:j2])
    return segments


def _fields(snapshot: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """``{field: (label, text)}`` of everything a reviewer approves, as comparable text."""
    fields: dict[str, tuple[str, str]] = {
        "title": ("Titel", snapshot.get("title", "")),
        "category": ("Kategorie", snapshot.get("category", "")),
        "base_text": ("Basistext", snapshot.get("base_text", "")),
        "link": ("Link", snapshot.get("link") or ""),
        "shows_patient": (
            "Zeigt Patient:in",
            "ja" if snapshot.get("shows_patient") else "nein",
        ),
        "media": (
            "Bilder und Alternativtexte",
            "\n".join(
                f"{m.get('position', 0) + 1}. {m.get('filename', '')}: {m.get('alt_text', '')}"
                for m in snapshot.get("media", [])
            ),
        ),
    }
    for variant in snapshot.get("variants", []):
        label = f"{variant.get('channel_name', '')} ({variant.get('platform', '')})"
        fields[f"variant:{variant['channel_id']}"] = (label, variant.get("text", ""))
    return fields


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Changed fields only, in a stable order (a channel added or removed shows as a whole
    insertion or deletion)."""
    old, new = _fields(before), _fields(after)
    result = []
    for key in list(new) + [k for k in old if k not in new]:
        label = (new.get(key) or old[key])[0]
        a = old[key][1] if key in old else ""
        b = new[key][1] if key in new else ""
        if a != b:
            result.append({"field": key, "label": label, "segments": word_diff(a, b)})
    return result
