from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints, field_validator

from app.auth.permissions import Role
from app.inbox.models import (
    DeliveryState,
    Direction,
    Priority,
    Sentiment,
    ThreadKind,
    ThreadStatus,
    TriageCategory,
)
from app.kit.pagination import CursorPage
from app.kit.schemas import InputSchema, PatchSchema, Schema, TimestampedSchema

Tag = Annotated[
    str,
    StringConstraints(min_length=1, max_length=50, pattern=r"^[\w-]+$", to_lower=True),
    Field(description="Letters, digits, `_` and `-`; stored in lower case."),
]
NoteText = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ReplyText = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
Language = Annotated[str, StringConstraints(pattern=r"^(de|en)$")]

VARIABLES = ("vorname", "nachname", "name", "handle", "klinik", "telefon")
"""Variables a saved reply may contain, written ``{vorname}``."""


class ThreadRead(TimestampedSchema):
    organization_id: uuid.UUID
    clinic_id: uuid.UUID | None
    channel_id: uuid.UUID
    kind: ThreadKind
    platform_thread_id: str
    publication_id: uuid.UUID | None
    post_id: uuid.UUID | None
    author_platform_id: str
    author_handle: str | None
    author_name: str | None
    status: ThreadStatus
    assignee_id: uuid.UUID | None
    priority: Priority
    triage_category: TriageCategory
    triage_reasons: list[str] = Field(description="The lexicon entries that matched: why.")
    sentiment: Sentiment
    sensitive: bool = Field(
        description="The text reveals health data about a person: suggest hiding the comment "
        "and moving to a private message."
    )
    sensitive_rules: list[str]
    escalated_role: str | None
    escalated_at: datetime | None
    first_response_due_at: datetime | None
    first_responded_at: datetime | None
    last_message_at: datetime
    message_count: int
    tags: list[str] = Field(default_factory=list)


class StatusCounts(Schema):
    open: int = 0
    pending: int = 0
    resolved: int = 0
    spam: int = 0


class ThreadPage(CursorPage[ThreadRead]):
    counts: StatusCounts = Field(
        description="Threads per status under the same filters (status filter left out)."
    )


class MessageRead(TimestampedSchema):
    direction: Direction
    platform_message_id: str | None
    author_platform_id: str | None
    author_handle: str | None
    author_name: str | None
    author_user_id: uuid.UUID | None
    text: str
    sent_at: datetime
    hidden: bool
    delivery_state: DeliveryState | None


class NoteRead(TimestampedSchema):
    thread_id: uuid.UUID
    author_id: uuid.UUID
    text: str


class PostContext(Schema):
    id: uuid.UUID
    title: str
    publication_id: uuid.UUID | None
    platform_url: str | None


class ThreadDetail(ThreadRead):
    messages: list[MessageRead]
    notes: list[NoteRead]
    post: PostContext | None
    earlier_threads: list[ThreadRead] = Field(
        description="Earlier threads of the same author on the same platform, in scope."
    )


class AssignRequest(InputSchema):
    assignee_id: uuid.UUID | None = Field(description="A user with `inbox.work`; null unassigns.")


class StatusRequest(InputSchema):
    status: ThreadStatus


class TagRequest(InputSchema):
    tag: Tag


class NoteCreate(InputSchema):
    text: NoteText


class EscalateRequest(InputSchema):
    role: Role = Field(description="A role that may read the inbox.")
    reason: Reason = Field(description="Why; kept as an internal note on the thread.")


def _check_variables(text: str) -> str:
    import string

    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ValueError("Ungültige geschweifte Klammern im Text.") from exc
    unknown = sorted(names - set(VARIABLES))
    if unknown:
        raise ValueError(
            f"Unbekannte Variable(n): {', '.join(unknown)}; erlaubt: {', '.join(VARIABLES)}."
        )
    return text


class SavedReplyCreate(InputSchema):
    clinic_id: uuid.UUID | None = Field(default=None, description="Null: the whole organization.")
    title: Title
    language: Language = "de"
    category: TriageCategory | None = None
    text: ReplyText = Field(description="May contain `{vorname}`, `{name}`, `{klinik}` …")

    _text = field_validator("text")(_check_variables)


class SavedReplyUpdate(PatchSchema):
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"category"})

    title: Title | None = None
    language: Language | None = None
    category: TriageCategory | None = None
    text: ReplyText | None = None

    @field_validator("text")
    @classmethod
    def _variables(cls, value: str | None) -> str | None:
        return None if value is None else _check_variables(value)


class SavedReplyRead(TimestampedSchema):
    organization_id: uuid.UUID
    clinic_id: uuid.UUID | None
    title: str
    language: str
    category: TriageCategory | None
    text: str
    usage_count: int


class SavedReplyPage(CursorPage[SavedReplyRead]):
    pass


class RenderRequest(InputSchema):
    thread_id: uuid.UUID | None = Field(
        default=None, description="Fill `{vorname}`, `{name}`, `{handle}`, `{klinik}` from it."
    )
    variables: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,20}$")],
        Annotated[str, StringConstraints(max_length=200)],
    ] = Field(default_factory=dict, max_length=10, description="Values that win over the thread's.")


class RenderedReply(Schema):
    text: str
    missing: list[str] = Field(description="Variables left in the text for lack of a value.")


Minutes = Annotated[int, Field(ge=1, le=10080, description="Minutes (1 to 7 days).")]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Annotated[str, StringConstraints(pattern=r"^[0-6]$")]


class SlaTargets(InputSchema):
    urgent: Minutes
    high: Minutes
    normal: Minutes
    low: Minutes


class SlaPolicyWrite(InputSchema):
    office_targets: SlaTargets
    on_call_targets: SlaTargets
    office_hours: dict[Weekday, tuple[ClockTime, ClockTime]] = Field(
        description='Office hours per weekday in the clinic\'s time zone, `"0"` = Monday: '
        '`{"0": ["08:00", "17:00"], …}`; days left out are on call all day.'
    )

    @field_validator("office_hours")
    @classmethod
    def _spans(cls, value: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        for day, (start, end) in value.items():
            if start >= end:
                raise ValueError(f"Tag {day}: das Ende muss nach dem Beginn liegen.")
        return value


class SlaPolicyRead(Schema):
    clinic_id: uuid.UUID
    timezone: str
    office_targets: dict[str, int]
    on_call_targets: dict[str, int]
    office_hours: dict[str, list[str]]
    is_default: bool = Field(description="No policy stored: the defaults apply.")
