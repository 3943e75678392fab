"""The acceptance figures (FEAT-2): block recall >= 0.95, false-block rate <= 0.10 and span
recall >= 0.90 per label, on the dev corpus, the hand-written holdout set and the adversarial
set (free social-media text, staff introductions, job ads, events, press releases, donation
calls, identifier variants: compliance.md §3.5 hard negatives and hard positives)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.compliance.evaluation import TARGETS, Rate, evaluate, load, wilson

DATA = Path(__file__).parent / "data"
CORPORA = ["pii-dev.jsonl", "holdout.jsonl", "adversarial.jsonl"]


class TestCorpora:
    @pytest.mark.parametrize("name", CORPORA)
    def test_targets_hold(self, name: str) -> None:
        report = evaluate(load(DATA / name), name)
        assert report.failures() == [], "\n".join(report.lines(details=True))
        assert report.block_recall.value >= TARGETS["block_recall"]
        assert report.false_block.value <= TARGETS["false_block"]
        assert all(rate.value >= TARGETS["span_recall"] for rate in report.span_recall.values())

    @pytest.mark.parametrize(("name", "size"), [("holdout.jsonl", 80), ("adversarial.jsonl", 100)])
    def test_eval_sets_are_large_enough_and_mixed(self, name: str, size: int) -> None:
        items = load(DATA / name)
        assert len(items) >= size
        assert {i["lang"] for i in items} == {"de", "en"}
        assert {i["kind"] for i in items} == {"post", "reply"}
        assert {i["expect"] for i in items} == {"block", "allow"}
        blocks = sum(i["expect"] == "block" for i in items)
        assert 0.4 <= blocks / len(items) <= 0.6

    @pytest.mark.parametrize("name", CORPORA)
    def test_gold_spans_lie_inside_their_texts(self, name: str) -> None:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            for span in item["spans"]:
                assert 0 <= span["start"] < span["end"] <= len(item["text"]), item["id"]

    @pytest.mark.parametrize("name", ["holdout.jsonl", "adversarial.jsonl"])
    def test_eval_set_names_are_not_in_the_dev_corpus(self, name: str) -> None:
        dev_text = " ".join(i["text"] for i in load(DATA / "pii-dev.jsonl"))
        for item in load(DATA / name):
            for span in item["spans"]:
                if span["label"] == "NAME":
                    assert item["text"][span["start"] : span["end"]] not in dev_text


class TestMetrics:
    def test_wilson_interval(self) -> None:
        low, high = wilson(95, 100)
        assert 0.88 < low < 0.90
        assert 0.97 < high < 0.99
        assert wilson(0, 0) == (0.0, 1.0)

    def test_rate_shows_count_and_interval(self) -> None:
        assert str(Rate(9, 10)).startswith("0.900 (9/10, 95% CI")

    def test_failures_name_the_missed_target(self) -> None:
        items = [
            {
                "id": "a",
                "lang": "de",
                "kind": "post",
                "expect": "block",
                "text": "Schönes Wetter.",
                "spans": [],
            },
            {
                "id": "b",
                "lang": "de",
                "kind": "post",
                "expect": "allow",
                "text": "Kontakt: 112",
                "spans": [],
            },
        ]
        failures = evaluate(items).failures()
        assert any("block recall" in f for f in failures)
