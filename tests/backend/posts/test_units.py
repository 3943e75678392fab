"""Pure parts: the state table, local times on DST switches, per-platform validation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from app.connectors.base import Platform
from app.kit.errors import InvalidTransition
from app.posts.localtime import AmbiguousLocalTime, NonexistentLocalTime, local_to_utc
from app.posts.models import Post, PostCategory, PostStatus
from app.posts.service import tagged_link
from app.posts.states import TRANSITIONS, transition
from app.posts.validation import validate_target

ALLOWED = [(s, t) for s, targets in TRANSITIONS.items() for t in sorted(targets)]
FORBIDDEN = [
    (PostStatus.draft, PostStatus.approved),
    (PostStatus.draft, PostStatus.scheduled),
    (PostStatus.in_review, PostStatus.scheduled),
    (PostStatus.changes_requested, PostStatus.approved),
    (PostStatus.rejected, PostStatus.in_review),
    (PostStatus.published, PostStatus.cancelled),
    (PostStatus.cancelled, PostStatus.draft),
    (PostStatus.approved, PostStatus.published),
]
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"


def _post(status: PostStatus) -> Post:
    return Post(
        organization_id=uuid.uuid4(),
        clinic_id=uuid.uuid4(),
        title="t",
        category=PostCategory.health_tip,
        created_by_id=uuid.uuid4(),
        status=status,
    )


class TestStateMachine:
    @pytest.mark.parametrize(("source", "target"), ALLOWED)
    def test_allowed_transition(self, source: PostStatus, target: PostStatus) -> None:
        post = _post(source)
        assert transition(post, target) is source
        assert post.status is target

    @pytest.mark.parametrize(("source", "target"), FORBIDDEN)
    def test_forbidden_transition_is_409(self, source: PostStatus, target: PostStatus) -> None:
        post = _post(source)
        with pytest.raises(InvalidTransition) as caught:
            transition(post, target)
        assert caught.value.status == 409
        assert post.status is source

    def test_every_state_has_a_row(self) -> None:
        assert set(TRANSITIONS) == set(PostStatus)


class TestLocalTime:
    def test_spring_forward_gap_does_not_exist(self) -> None:
        with pytest.raises(NonexistentLocalTime) as caught:
            local_to_utc(datetime.fromisoformat("2026-03-29T02:30"), "Europe/Berlin")
        assert caught.value.earlier.strftime("%H:%M %Z") == "01:59 CET"
        assert caught.value.later.strftime("%H:%M %Z") == "03:00 CEST"

    def test_fall_back_is_ambiguous_without_fold(self) -> None:
        with pytest.raises(AmbiguousLocalTime):
            local_to_utc(datetime.fromisoformat("2026-10-25T02:30"), "Europe/Berlin")

    @pytest.mark.parametrize(("fold", "hour"), [(0, 0), (1, 1)])
    def test_fold_picks_summer_or_standard_time(self, fold: int, hour: int) -> None:
        moment = local_to_utc(datetime.fromisoformat("2026-10-25T02:30"), "Europe/Berlin", fold)
        assert moment == datetime(2026, 10, 25, hour, 30, tzinfo=UTC)

    def test_ordinary_times(self) -> None:
        winter = local_to_utc(datetime.fromisoformat("2026-01-15T09:00"), "Europe/Berlin")
        summer = local_to_utc(datetime.fromisoformat("2026-07-15T09:00"), "Europe/Berlin")
        assert (winter.hour, summer.hour) == (8, 7)


class TestPlatformValidation:
    def _check(
        self, platform: Platform, text: str, link: str | None = None
    ) -> tuple[int, set[str]]:
        report = validate_target(
            platform, text=text, link=link, language="de", media=[], options={}
        )
        return report.length, {i.code for i in report.blocking}

    def test_bluesky_counts_an_emoji_family_as_one_grapheme(self) -> None:
        assert len(FAMILY) == 7
        assert self._check(Platform.BLUESKY, "a" * 299 + FAMILY) == (300, set())
        length, codes = self._check(Platform.BLUESKY, "a" * 300 + FAMILY)
        assert length == 301
        assert "text_too_long" in codes

    def test_mastodon_counts_a_url_as_23(self) -> None:
        url = "https://www.klinikum-musterland.example/aktuelles/" + "x" * 120
        assert self._check(Platform.MASTODON, "a" * 476 + " " + url) == (500, set())
        length, codes = self._check(Platform.MASTODON, "a" * 477 + " " + url)
        assert length == 501
        assert "text_too_long" in codes

    def test_the_link_counts_too(self) -> None:
        length, _ = self._check(Platform.MASTODON, "Hallo", "https://example.org/" + "y" * 80)
        assert length == len("Hallo\n\n") + 23

    def test_platform_without_connector_blocks(self) -> None:
        assert self._check(Platform.X, "Hallo")[1] == {"platform_unsupported"}


class TestTaggedLink:
    def test_utm_parameters_are_added_and_replaced(self) -> None:
        link = tagged_link(
            "https://example.org/jobs?ref=a&utm_source=old",
            {"utm_source": "mastodon", "utm_campaign": "pflege 2026"},
        )
        assert link == (
            "https://example.org/jobs?ref=a&utm_source=mastodon&utm_campaign=pflege+2026"
        )
