"""Measure the compliance engine on a labelled corpus (``shared/corpus/README.md``).

- block recall: share of ``block`` texts with at least one ``block`` finding;
- false-block rate: share of ``allow`` texts with any ``block`` finding;
- span recall per label: share of gold spans overlapped by a finding of any severity;
- precision per label (diagnostics): share of a label's findings that overlap a gold span of
  that label.
Each rate comes with its count and a 95 % Wilson interval.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.compliance.engine import RULESET_VERSION, Finding, check_text

TARGETS = {"block_recall": 0.95, "false_block": 0.10, "span_recall": 0.90}
RULE_LABELS = {
    "pii.name": "NAME",
    "pii.birthdate": "DATE_OF_BIRTH",
    "pii.phone": "PHONE",
    "pii.email": "EMAIL",
    "pii.address": "ADDRESS",
    "pii.insurance_number": "INSURANCE_NUMBER",
    "pii.case_number": "CASE_NUMBER",
    "pii.ward_room": "WARD_ROOM",
    "pii.iban": "IBAN",
    "phi.diagnosis": "DIAGNOSIS",
}
LABELS = tuple(RULE_LABELS.values())


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval for a proportion."""
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else float("nan")

    def __str__(self) -> str:
        low, high = wilson(self.hits, self.total)
        return f"{self.value:5.3f} ({self.hits}/{self.total}, 95% CI {low:.2f}-{high:.2f})"


@dataclass(slots=True)
class Report:
    corpus: str
    block_recall: Rate
    false_block: Rate
    span_recall: dict[str, Rate]
    precision: dict[str, Rate]
    ms_per_text: list[float]
    missed_blocks: list[str] = field(default_factory=list)
    false_blocks: list[str] = field(default_factory=list)
    missed_spans: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.ms_per_text) if self.ms_per_text else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.ms_per_text, 95)

    def failures(self) -> list[str]:
        failed = []
        if self.block_recall.value < TARGETS["block_recall"]:
            failed.append(f"block recall {self.block_recall.value:.3f} < {TARGETS['block_recall']}")
        if self.false_block.total and self.false_block.value > TARGETS["false_block"]:
            failed.append(
                f"false-block rate {self.false_block.value:.3f} > {TARGETS['false_block']}"
            )
        for label, rate in self.span_recall.items():
            if rate.total and rate.value < TARGETS["span_recall"]:
                failed.append(f"span recall {label} {rate.value:.3f} < {TARGETS['span_recall']}")
        return failed

    def lines(self, *, details: bool = False) -> list[str]:
        out = [
            f"corpus: {self.corpus}   ruleset {RULESET_VERSION}",
            f"  block recall     {self.block_recall}   target >= {TARGETS['block_recall']}",
            f"  false-block rate {self.false_block}   target <= {TARGETS['false_block']}",
            "  span recall per label (target >= 0.90)      precision (diagnostic)",
        ]
        for label in LABELS:
            recall = self.span_recall.get(label)
            precision = self.precision.get(label)
            if recall is None and precision is None:
                continue
            shown = str(recall) if recall is not None else "-"
            out.append(f"    {label:<17} {shown:<40} {precision or '-'}")
        out.append(f"  ms/text p50 {self.p50:.2f}  p95 {self.p95:.2f}  (n={len(self.ms_per_text)})")
        if details:
            out += [f"  missed block: {x}" for x in self.missed_blocks]
            out += [f"  false block:  {x}" for x in self.false_blocks]
            out += [f"  missed span:  {x}" for x in self.missed_spans]
        return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(items: Iterable[dict[str, Any]], corpus: str = "") -> Report:
    blocks = block_hits = allows = allow_hits = 0
    span_hits: Counter[str] = Counter()
    span_total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    found_correct: Counter[str] = Counter()
    timings: list[float] = []
    report = Report(corpus, Rate(0, 0), Rate(0, 0), {}, {}, timings)
    for item in items:
        text = item["text"]
        started = time.perf_counter()
        findings: list[Finding] = check_text(
            text, kind=item.get("kind", "post"), language=item.get("lang")
        )
        timings.append((time.perf_counter() - started) * 1000)
        blocked = any(f.severity == "block" for f in findings)
        spans = item.get("spans", [])
        if item["expect"] == "block":
            blocks += 1
            block_hits += blocked
            if not blocked:
                report.missed_blocks.append(f"{item['id']}: {text}")
        else:
            allows += 1
            allow_hits += blocked
            if blocked:
                rules = ", ".join(
                    f"{f.rule}={text[f.start : f.end]!r}" if f.start is not None else f.rule
                    for f in findings
                    if f.severity == "block"
                )
                report.false_blocks.append(f"{item['id']}: {text}  [{rules}]")
        located = [f for f in findings if f.start is not None and f.end is not None]
        for span in spans:
            label = span["label"]
            span_total[label] += 1
            if any(f.start < span["end"] and span["start"] < f.end for f in located):
                span_hits[label] += 1
            else:
                report.missed_spans.append(
                    f"{item['id']} {label} {text[span['start'] : span['end']]!r}: {text}"
                )
        for f in located:
            label = RULE_LABELS.get(f.rule)
            if label is None:
                continue
            found[label] += 1
            if any(
                s["label"] == label and f.start < s["end"] and s["start"] < f.end for s in spans
            ):
                found_correct[label] += 1
    report.block_recall = Rate(block_hits, blocks)
    report.false_block = Rate(allow_hits, allows)
    report.span_recall = {label: Rate(span_hits[label], span_total[label]) for label in span_total}
    report.precision = {label: Rate(found_correct[label], found[label]) for label in found}
    return report


def default_corpus(repo_root: Path) -> Path:
    """``../shared/corpus/pii-dev.jsonl`` beside the repository, else the in-repo copy."""
    shared = repo_root.parent / "shared" / "corpus" / "pii-dev.jsonl"
    if shared.exists():
        return shared
    return repo_root / "tests" / "backend" / "compliance_engine" / "data" / "pii-dev.jsonl"
