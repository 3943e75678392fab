"""The post state machine of design.md: one table of allowed transitions, one function to move."""

from __future__ import annotations

from typing import NoReturn

from app.kit.errors import InvalidTransition
from app.posts.models import Post, PostStatus

S = PostStatus

TRANSITIONS: dict[PostStatus, frozenset[PostStatus]] = {
    # submit; cancel
    S.draft: frozenset({S.in_review, S.cancelled}),
    # approve, request changes, reject; cancel
    S.in_review: frozenset({S.approved, S.changes_requested, S.rejected, S.cancelled}),
    # resubmit after editing; cancel
    S.changes_requested: frozenset({S.in_review, S.cancelled}),
    # schedule; a content edit sends it back to review; cancel
    S.approved: frozenset({S.scheduled, S.in_review, S.cancelled}),
    # reschedule; the worker publishes or fails; crisis pauses; edit → review; cancel
    # taken_down: a consent ended and every live publication was deleted (also when partial)
    S.scheduled: frozenset(
        {S.scheduled, S.published, S.failed, S.paused, S.in_review, S.cancelled, S.taken_down}
    ),
    # after a crisis each paused post is reviewed: schedule again, edit (→ review) or cancel
    S.paused: frozenset({S.scheduled, S.in_review, S.cancelled, S.taken_down}),
    # a failed post may be scheduled again, edited (→ review) or cancelled
    S.failed: frozenset({S.scheduled, S.in_review, S.cancelled, S.taken_down}),
    S.published: frozenset({S.taken_down}),
    S.taken_down: frozenset(),
    S.rejected: frozenset(),
    S.cancelled: frozenset(),
}

EDITABLE: frozenset[PostStatus] = frozenset(
    {S.draft, S.in_review, S.changes_requested, S.approved, S.scheduled, S.paused, S.failed}
)
"""States in which the post's content may still change (approved and later: back to review)."""

NEEDS_REVIEW_AFTER_EDIT: frozenset[PostStatus] = frozenset(
    {S.approved, S.scheduled, S.paused, S.failed}
)

LABELS_DE: dict[PostStatus, str] = {
    S.draft: "Entwurf",
    S.in_review: "in Prüfung",
    S.changes_requested: "Änderungen angefordert",
    S.approved: "freigegeben",
    S.scheduled: "eingeplant",
    S.published: "veröffentlicht",
    S.rejected: "abgelehnt",
    S.cancelled: "abgebrochen",
    S.failed: "fehlgeschlagen",
    S.paused: "pausiert",
    S.taken_down: "entfernt (Einwilligung beendet)",
}


def can_transition(source: PostStatus, target: PostStatus) -> bool:
    return target in TRANSITIONS[source]


def transition(post: Post, target: PostStatus) -> PostStatus:
    """Move ``post`` to ``target``; returns the previous state. 409 when the table forbids it."""
    source = post.status
    if not can_transition(source, target):
        raise_invalid(source, target)
    post.status = target
    return source


def raise_invalid(source: PostStatus, target: PostStatus) -> NoReturn:
    raise InvalidTransition(
        f"Ein Beitrag im Status „{LABELS_DE[source]}“ kann nicht „{LABELS_DE[target]}“ werden."
    )
