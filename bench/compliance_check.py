"""Compliance text engine: milliseconds per text against the PII-9 target (p95 <= 20 ms per
1,000-character text on this machine).

Measured over the labelled corpora (dev copy and hand-written holdout, short social texts) and
over 1,000-character texts built by joining corpus texts. The ceiling printed beside each
figure is a plain `re` word-and-digit scan of the same texts in the same run, so the engine's
cost shows relative to what the machine does for a trivial pass.
Run:  cd backend && .venv/bin/python ../bench/compliance_check.py
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))

from app.compliance.engine import check_text  # noqa: E402

DATA = ROOT / "tests" / "backend" / "compliance_engine" / "data"
TARGET_MS_PER_1000 = 20.0
ROUNDS = 5
_PLAIN = re.compile(r"\w+|\d[\d ./-]*\d")


def load() -> list[dict[str, str]]:
    items = []
    for name in ("pii-dev.jsonl", "holdout.jsonl"):
        with (DATA / name).open(encoding="utf-8") as fh:
            items += [json.loads(line) for line in fh if line.strip()]
    return items


def long_texts(
    items: list[dict[str, str]], count: int = 60, size: int = 1000
) -> list[dict[str, str]]:
    rng = random.Random(4)
    out = []
    for _ in range(count):
        parts: list[str] = []
        kind = rng.choice(("post", "reply"))
        while sum(len(p) + 1 for p in parts) < size:
            parts.append(rng.choice(items)["text"])
        out.append({"text": " ".join(parts)[:size], "kind": kind})
    return out


def timings(items: list[dict[str, str]]) -> tuple[list[float], list[float]]:
    engine: list[float] = []
    plain: list[float] = []
    for _ in range(ROUNDS):
        for item in items:
            started = time.perf_counter()
            check_text(item["text"], kind=item.get("kind", "post"))  # type: ignore[arg-type]
            engine.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            _PLAIN.findall(item["text"])
            plain.append((time.perf_counter() - started) * 1000)
    return engine, plain


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(0.95 * len(ordered)) - 1)]


def main() -> int:
    items = load()
    check_text("Aufwärmen: Herr Muster, Zimmer 3.", kind="reply")
    rows = [("corpus texts", items), ("1,000-char texts", long_texts(items))]
    ok = True
    for label, batch in rows:
        engine, plain = timings(batch)
        mean_chars = statistics.mean(len(i["text"]) for i in batch)
        print(
            f"{label:<17} n={len(batch):>3} x{ROUNDS}  avg {mean_chars:6.0f} chars   "
            f"engine p50 {statistics.median(engine):6.2f} ms  p95 {p95(engine):6.2f} ms   "
            f"ceiling (plain re) p50 {statistics.median(plain):6.3f} ms  p95 {p95(plain):6.3f} ms"
        )
        if label.startswith("1,000"):
            ok = p95(engine) <= TARGET_MS_PER_1000
            print(
                f"target p95 <= {TARGET_MS_PER_1000:.0f} ms per 1,000 characters: {'met' if ok else 'MISSED'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
