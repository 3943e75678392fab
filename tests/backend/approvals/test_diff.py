"""Word-level diffs per field between approval snapshots."""

from __future__ import annotations

import pytest

from app.approvals.diff import snapshot_diff, word_diff


def side(segments: list[dict[str, str]], drop: str) -> str:
    return "".join(s["text"] for s in segments if s["op"] != drop)


class TestWordDiff:
    @pytest.mark.parametrize(
        ("before", "after"),
        [
            ("Impfen schützt.", "Impfen schützt alle, sofort!"),
            ("", "Neu"),
            ("Alt", ""),
            ("Zeile eins\nZeile zwei", "Zeile eins\n\nZeile drei"),
        ],
    )
    def test_both_versions_can_be_read_back(self, before: str, after: str) -> None:
        segments = word_diff(before, after)
        assert side(segments, "insert") == before
        assert side(segments, "delete") == after

    def test_whole_words_not_letters(self) -> None:
        assert word_diff("Termin am Montag", "Termin am Dienstag") == [
            {"op": "equal", "text": "Termin am "},
            {"op": "delete", "text": "Montag"},
            {"op": "insert", "text": "Dienstag"},
        ]


class TestSnapshotDiff:
    def test_changed_fields_only_and_channels_added(self) -> None:
        before = {"title": "T", "base_text": "a b", "category": "jobs", "variants": [],
                  "media": [{"position": 0, "filename": "x.png", "alt_text": "Haus"}]}  # fmt: skip
        after = {
            **before,
            "base_text": "a c",
            "media": [{"position": 0, "filename": "x.png", "alt_text": "Haus B"}],
            "variants": [
                {"channel_id": "c1", "channel_name": "M", "platform": "mastodon", "text": "a c"}
            ],
        }
        fields = {f["field"]: f for f in snapshot_diff(before, after)}
        assert set(fields) == {"base_text", "media", "variant:c1"}
        assert fields["variant:c1"]["segments"] == [{"op": "insert", "text": "a c"}]
        assert {"op": "insert", "text": " B"} in fields["media"]["segments"]
        assert snapshot_diff(after, after) == []
