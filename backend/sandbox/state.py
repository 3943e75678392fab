"""In-memory state of the sandbox platform: configuration, virtual clock, accounts, tokens,
posts, media, rate-limit windows and fault rules. Everything lives in one `SandboxState`."""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, Literal

TokenKind = Literal[
    "mastodon", "graph_user_short", "graph_user_long", "graph_page", "linkedin", "linkedin_refresh"
]


@dataclass
class SandboxConfig:
    """Tunable behaviour; every field can be changed at run time via `POST /_control/config`."""

    graph_app_id: str = "1234567890"
    graph_app_secret: str = "sandbox-app-secret"
    mastodon_max_characters: int = 500
    mastodon_media_processing_seconds: float = 0.0
    mastodon_rate_limit: int = 300
    mastodon_rate_window_seconds: int = 300
    graph_app_calls_per_window: int = 2000
    graph_object_calls_per_window: int = 4800
    graph_rate_window_seconds: int = 3600
    graph_short_token_seconds: int = 7200
    graph_long_token_seconds: int = 5_183_944
    graph_duplicate_window_seconds: int = 600
    ig_container_polls_in_progress: int = 1
    ig_quota_total: int = 50
    linkedin_client_id: str = "sandbox-linkedin-client"
    linkedin_client_secret: str = "sandbox-linkedin-secret"
    linkedin_access_token_seconds: int = 5_184_000
    """60 days, LinkedIn's default access-token lifetime."""
    linkedin_refresh_token_seconds: int = 31_536_000
    """365 days from the first consent; a refresh does not extend it."""
    linkedin_duplicate_window_seconds: int = 600
    linkedin_image_polls_processing: int = 0
    """`GET /rest/images/{urn}` answers PROCESSING this many times after the upload."""
    linkedin_member_calls_per_day: int = 100_000
    linkedin_app_calls_per_day: int = 500_000
    linkedin_posts_per_day: int = 150
    """Posts one member may create per day (UTC), the daily limit the connector must honour."""
    webhook_url: str | None = None
    frozen_start: datetime | None = None
    """When set, the virtual clock starts here and only moves via the control API."""
    demo_world: bool = False
    """Seed the fixed demo accounts of `sandbox.demo` (same ids and tokens after every start)
    instead of the default world; the embedded Klinikfunk demo turns this on."""
    demo_redirect_uris: list[str] = field(default_factory=list)
    """Redirect URIs of the demo world's fixed Mastodon app (the host app's OAuth callback)."""
    date_header: bool = True
    """Send `Date` in virtual time. Off when mounted inside another app, whose server sends it."""

    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key not in self.__dataclass_fields__:
                raise KeyError(key)
            if key == "frozen_start" and isinstance(value, str):
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            setattr(self, key, value)


class Clock:
    """Virtual time: the real clock (or a frozen start) plus an offset the control API advances."""

    def __init__(self, frozen_start: datetime | None = None) -> None:
        self.frozen_start = frozen_start
        self.offset = timedelta()

    def now(self) -> datetime:
        base = self.frozen_start if self.frozen_start is not None else datetime.now(UTC)
        return base + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def http_date(moment: datetime) -> str:
    """An RFC 9110 `Date` header value (the sandbox serves virtual time)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: str | float) -> timedelta:
    """`90`, `"90s"`, `"15m"`, `"61d"` → timedelta (a bare number means seconds)."""
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    match = _DURATION.match(value.strip())
    if match is None:
        raise ValueError(f"bad duration {value!r}")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


@dataclass
class Token:
    value: str
    kind: TokenKind
    subject_id: str
    """Mastodon account id, Graph user id or Graph page id."""
    created_at: datetime
    expires_at: datetime | None = None
    revoked: bool = False
    scopes: list[str] = field(default_factory=list)

    def problem(self, now: datetime) -> Literal["revoked", "expired"] | None:
        if self.revoked:
            return "revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return None


@dataclass
class Window:
    """A fixed rate-limit window: `used` calls out of `limit` until `reset_at`."""

    limit: int
    seconds: int
    reset_at: datetime
    used: int = 0

    def roll(self, now: datetime) -> None:
        if now >= self.reset_at:
            self.used = 0
            self.reset_at = now + timedelta(seconds=self.seconds)

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def percent(self) -> int:
        return min(100, math.floor(self.used * 100 / self.limit)) if self.limit else 100


@dataclass
class FaultRule:
    """Applies `action` to the next `times` requests whose method and path match."""

    id: int
    action: Literal["status", "latency", "hang", "drop", "drop_after_create"]
    path_regex: str
    method: str = "*"
    times: int = 1
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: int = 0
    hang_seconds: float = 60.0
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.method in ("*", method.upper())
            and re.search(self.path_regex, path) is not None
        )


# ---------- Mastodon ----------


@dataclass
class MastodonApp:
    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str]
    scopes: list[str]
    website: str | None


@dataclass
class MastodonAccount:
    id: str
    username: str
    display_name: str
    created_at: datetime


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    subject_id: str
    scopes: list[str]
    code_challenge: str | None
    used: bool = False


@dataclass
class MastodonMedia:
    id: str
    account_id: str
    type: str
    content_type: str
    size: int
    description: str | None
    created_at: datetime
    ready_at: datetime
    attached_to: str | None = None


@dataclass
class MastodonStatus:
    id: str
    account_id: str
    text: str
    visibility: str
    sensitive: bool
    spoiler_text: str
    language: str | None
    in_reply_to_id: str | None
    media_ids: list[str]
    created_at: datetime
    idempotency_key: str | None
    deleted_at: datetime | None = None


# ---------- Graph (Facebook Pages, Instagram) ----------


@dataclass
class GraphUser:
    id: str
    name: str
    page_ids: list[str]
    permissions: list[str]


@dataclass
class GraphPage:
    id: str
    name: str
    access_token: str
    instagram_id: str | None


@dataclass
class GraphPost:
    """A Facebook Page post (feed or photo) or an unpublished photo."""

    id: str
    page_id: str
    kind: Literal["feed", "photo"]
    message: str
    link: str | None
    image_url: str | None
    published: bool
    created_at: datetime
    photo_id: str | None = None
    alt_text: str | None = None
    attached_photo_ids: list[str] = field(default_factory=list)
    """Feed posts: unpublished photos attached via `attached_media` (they show in the post)."""
    attached_to: str | None = None
    """Unpublished photos: the feed post they were attached to."""
    deleted_at: datetime | None = None


@dataclass
class IgContainer:
    id: str
    ig_user_id: str
    media_type: str
    image_url: str | None
    video_url: str | None
    caption: str
    children: list[str]
    is_carousel_item: bool
    created_at: datetime
    polls_left: int
    status_code: Literal["IN_PROGRESS", "FINISHED", "PUBLISHED", "ERROR", "EXPIRED"] = "IN_PROGRESS"
    media_id: str | None = None
    alt_text: str | None = None


@dataclass
class IgMedia:
    id: str
    ig_user_id: str
    container_id: str
    caption: str
    media_type: str
    media_url: str | None
    created_at: datetime
    alt_text: str | None = None
    deleted_at: datetime | None = None


# ---------- LinkedIn ----------


@dataclass
class LinkedInOrganization:
    id: str
    """The numeric id; the URN is `urn:li:organization:{id}`."""
    name: str
    vanity_name: str

    @property
    def urn(self) -> str:
        return f"urn:li:organization:{self.id}"


@dataclass
class LinkedInMember:
    id: str
    """The person id; the URN is `urn:li:person:{id}`."""
    name: str
    roles: dict[str, str] = field(default_factory=dict)
    """Organization id → role (`ADMINISTRATOR`, `CONTENT_ADMINISTRATOR`, `ANALYST`, …)."""


@dataclass
class LinkedInImage:
    urn: str
    owner: str
    upload_token: str
    created_at: datetime
    status: Literal["WAITING_UPLOAD", "PROCESSING", "AVAILABLE", "PROCESSING_FAILED"] = (
        "WAITING_UPLOAD"
    )
    polls_left: int = 0
    content_type: str | None = None
    size: int = 0
    used_by: str | None = None


@dataclass
class LinkedInPost:
    urn: str
    author: str
    commentary: str
    """As sent (little text format, escapes included)."""
    text: str
    """What readers see: escapes resolved, cut at the first unescaped reserved character."""
    visibility: str
    lifecycle_state: str
    content: dict[str, Any] | None
    created_at: datetime
    member_id: str
    deleted_at: datetime | None = None


@dataclass
class WebhookDelivery:
    url: str
    body: str
    signature: str
    status: int | None
    error: str | None
    at: datetime


@dataclass
class GraphComment:
    """A comment on a Page post (``parent_id`` = the post, or a comment for a reply)."""

    id: str
    page_id: str
    post_id: str
    parent_id: str
    from_id: str
    from_name: str
    message: str
    created_at: datetime


@dataclass
class GraphMessage:
    """A Messenger message between a person (PSID) and a Page."""

    mid: str
    page_id: str
    sender_id: str
    recipient_id: str
    text: str
    created_at: datetime


@dataclass
class DeleteCall:
    """One DELETE that reached a platform handler (authenticated): what it asked to delete and
    whether something was deleted (False: already gone or unknown, answered 404). Takedown
    tests count these to prove "exactly one platform DELETE per publication"."""

    platform: Literal["mastodon", "facebook", "linkedin"]
    object_id: str
    account_id: str | None
    deleted: bool
    at: datetime


@dataclass
class SandboxState:
    config: SandboxConfig
    clock: Clock
    counter: int = 0
    tokens: dict[str, Token] = field(default_factory=dict)
    auth_codes: dict[str, AuthCode] = field(default_factory=dict)
    windows: dict[str, Window] = field(default_factory=dict)
    faults: list[FaultRule] = field(default_factory=list)
    mastodon_apps: dict[str, MastodonApp] = field(default_factory=dict)
    mastodon_accounts: dict[str, MastodonAccount] = field(default_factory=dict)
    mastodon_media: dict[str, MastodonMedia] = field(default_factory=dict)
    mastodon_statuses: dict[str, MastodonStatus] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], tuple[str, datetime]] = field(default_factory=dict)
    graph_users: dict[str, GraphUser] = field(default_factory=dict)
    graph_pages: dict[str, GraphPage] = field(default_factory=dict)
    ig_users: dict[str, str] = field(default_factory=dict)
    """Instagram professional account id → username."""
    graph_posts: dict[str, GraphPost] = field(default_factory=dict)
    ig_containers: dict[str, IgContainer] = field(default_factory=dict)
    ig_media: dict[str, IgMedia] = field(default_factory=dict)
    linkedin_members: dict[str, LinkedInMember] = field(default_factory=dict)
    linkedin_organizations: dict[str, LinkedInOrganization] = field(default_factory=dict)
    linkedin_images: dict[str, LinkedInImage] = field(default_factory=dict)
    linkedin_posts: dict[str, LinkedInPost] = field(default_factory=dict)
    graph_comments: dict[str, GraphComment] = field(default_factory=dict)
    graph_messages: dict[str, GraphMessage] = field(default_factory=dict)
    webhook_deliveries: list[WebhookDelivery] = field(default_factory=list)
    webhook_inbox: list[dict[str, Any]] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)
    """Creates in flight per account right now, and the most at once (`inflight.py`)."""
    max_in_flight: dict[str, int] = field(default_factory=dict)
    delete_calls: list[DeleteCall] = field(default_factory=list)

    @classmethod
    def fresh(cls, config: SandboxConfig) -> SandboxState:
        state = cls(config=config, clock=Clock(config.frozen_start))
        state.seed()
        return state

    def now(self) -> datetime:
        return self.clock.now()

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def mastodon_id(self) -> str:
        return str(110_000_000_000_000_000 + self.next_id())

    def graph_id(self) -> str:
        return str(100_000_000_000 + self.next_id())

    def linkedin_id(self) -> str:
        return str(7_300_000_000_000_000_000 + self.next_id())

    def fbtrace_id(self) -> str:
        return f"SbxTrace{self.next_id():08d}"

    # ---------- tokens ----------

    def issue_token(
        self,
        kind: TokenKind,
        subject_id: str,
        lifetime_seconds: int | None = None,
        scopes: list[str] | None = None,
    ) -> Token:
        prefix = {
            "mastodon": "mst",
            "graph_page": "EAAP",
            "graph_user_short": "EAAS",
            "linkedin": "AQV",
            "linkedin_refresh": "AQX",
        }
        value = prefix.get(kind, "EAAL") + secrets.token_urlsafe(24)
        now = self.now()
        token = Token(
            value=value,
            kind=kind,
            subject_id=subject_id,
            created_at=now,
            expires_at=now + timedelta(seconds=lifetime_seconds) if lifetime_seconds else None,
            scopes=scopes or [],
        )
        self.tokens[value] = token
        return token

    # ---------- rate limits ----------

    def window(self, key: str, limit: int, seconds: int) -> Window:
        now = self.now()
        window = self.windows.get(key)
        if window is None:
            window = Window(limit=limit, seconds=seconds, reset_at=now + timedelta(seconds=seconds))
            self.windows[key] = window
        window.limit = limit
        window.seconds = seconds
        window.roll(now)
        return window

    # ---------- seed data ----------

    def create_mastodon_account(self, username: str, display_name: str | None = None) -> Token:
        account = MastodonAccount(
            id=self.mastodon_id(),
            username=username,
            display_name=display_name or username,
            created_at=self.now(),
        )
        self.mastodon_accounts[account.id] = account
        return self.issue_token(
            "mastodon", account.id, scopes=["read", "write", "profile", "write:statuses"]
        )

    def create_graph_user(self, name: str, pages: list[dict[str, Any]]) -> GraphUser:
        user = GraphUser(
            id=self.graph_id(),
            name=name,
            page_ids=[],
            permissions=[
                "pages_show_list",
                "pages_manage_posts",
                "pages_read_engagement",
                "instagram_basic",
                "instagram_content_publish",
                "business_management",
            ],
        )
        self.graph_users[user.id] = user
        for spec in pages:
            page_id = self.graph_id()
            ig_id: str | None = None
            if spec.get("instagram"):
                ig_id = str(17_841_400_000_000_000 + self.next_id())
                self.ig_users[ig_id] = str(spec.get("instagram_username") or spec["name"]).lower()
            token = self.issue_token("graph_page", page_id)
            self.graph_pages[page_id] = GraphPage(
                id=page_id, name=str(spec["name"]), access_token=token.value, instagram_id=ig_id
            )
            user.page_ids.append(page_id)
        return user

    def create_linkedin_member(
        self, name: str, organizations: list[dict[str, Any]]
    ) -> LinkedInMember:
        """A member with the given organizations (`{name, vanity_name?, role?}`; default role
        ADMINISTRATOR)."""
        member = LinkedInMember(id=f"sbxMember{self.next_id()}", name=name)
        self.linkedin_members[member.id] = member
        for spec in organizations:
            org_id = str(100_000 + self.next_id())
            name_ = str(spec["name"])
            vanity = str(spec.get("vanity_name") or re.sub(r"[^a-z0-9]+", "-", name_.lower()))
            self.linkedin_organizations[org_id] = LinkedInOrganization(org_id, name_, vanity)
            member.roles[org_id] = str(spec.get("role") or "ADMINISTRATOR")
        return member

    def issue_linkedin_tokens(
        self, member_id: str, scopes: list[str], refresh_expires_at: datetime | None = None
    ) -> tuple[Token, Token]:
        """An access token (60 days) and a refresh token (365 days from first consent unless
        `refresh_expires_at` carries an earlier consent's expiry)."""
        config = self.config
        access = self.issue_token(
            "linkedin", member_id, config.linkedin_access_token_seconds, scopes
        )
        refresh = self.issue_token(
            "linkedin_refresh", member_id, config.linkedin_refresh_token_seconds, scopes
        )
        if refresh_expires_at is not None:
            refresh.expires_at = refresh_expires_at
        return access, refresh

    def seed(self) -> None:
        """Default world: one Mastodon account and one Facebook user with a Page + IG account;
        with `demo_world` the fixed demo accounts of `sandbox.demo` instead."""
        if self.config.demo_world:
            from sandbox.demo import seed_demo_world

            seed_demo_world(self)
            return
        self.create_mastodon_account("klinikum_nord", "Klinikum Nord")
        self.create_graph_user("Redaktion Klinikum", [{"name": "Klinikum Nord", "instagram": True}])
        self.create_linkedin_member(
            "Redaktion Klinikum", [{"name": "Klinikum Nord", "vanity_name": "klinikum-nord"}]
        )

    def page_of_ig(self, ig_user_id: str) -> GraphPage | None:
        return next((p for p in self.graph_pages.values() if p.instagram_id == ig_user_id), None)

    def snapshot(self) -> dict[str, Any]:
        """Everything, JSON-ready, for `GET /_control/state`."""

        def dump(items: dict[Any, Any]) -> list[dict[str, Any]]:
            return [_jsonable(asdict(item)) for item in items.values()]

        return {
            "now": self.now().isoformat(),
            "config": _jsonable(asdict(self.config)),
            "tokens": dump(self.tokens),
            "faults": [_jsonable(asdict(rule)) for rule in self.faults],
            "mastodon": {
                "apps": dump(self.mastodon_apps),
                "accounts": dump(self.mastodon_accounts),
                "media": dump(self.mastodon_media),
                "statuses": dump(self.mastodon_statuses),
            },
            "graph": {
                "users": dump(self.graph_users),
                "pages": dump(self.graph_pages),
                "instagram_accounts": [{"id": k, "username": v} for k, v in self.ig_users.items()],
                "posts": dump(self.graph_posts),
                "comments": dump(self.graph_comments),
                "messages": dump(self.graph_messages),
                "ig_containers": dump(self.ig_containers),
                "ig_media": dump(self.ig_media),
            },
            "linkedin": {
                "members": dump(self.linkedin_members),
                "organizations": dump(self.linkedin_organizations),
                "images": dump(self.linkedin_images),
                "posts": dump(self.linkedin_posts),
            },
            "webhooks": {
                "deliveries": [_jsonable(asdict(d)) for d in self.webhook_deliveries],
                "inbox": self.webhook_inbox,
            },
            "delete_calls": [_jsonable(asdict(call)) for call in self.delete_calls],
        }

    def visible_posts(self) -> list[dict[str, Any]]:
        """Every post a platform user could see (not deleted), across personalities."""
        posts: list[dict[str, Any]] = [
            {
                "platform": "mastodon",
                "id": s.id,
                "account_id": s.account_id,
                "text": s.text,
                "created_at": s.created_at.isoformat(),
            }
            for s in self.mastodon_statuses.values()
            if s.deleted_at is None
        ]
        posts += [
            {
                "platform": "facebook",
                "id": p.id,
                "account_id": p.page_id,
                "text": p.message,
                "created_at": p.created_at.isoformat(),
            }
            for p in self.graph_posts.values()
            if p.deleted_at is None and p.published
        ]
        posts += [
            {
                "platform": "instagram",
                "id": m.id,
                "account_id": m.ig_user_id,
                "text": m.caption,
                "created_at": m.created_at.isoformat(),
            }
            for m in self.ig_media.values()
            if m.deleted_at is None
        ]
        posts += [
            {
                "platform": "linkedin",
                "id": p.urn,
                "account_id": p.author,
                "text": p.text,
                "created_at": p.created_at.isoformat(),
            }
            for p in self.linkedin_posts.values()
            if p.deleted_at is None and p.lifecycle_state == "PUBLISHED"
        ]
        return posts


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class Sandbox:
    """Holds the current state; `reset()` swaps in a fresh one built from the start config."""

    def __init__(self, config: SandboxConfig) -> None:
        self.base_config = config
        self.state = SandboxState.fresh(replace(config))

    def reset(self) -> None:
        self.state = SandboxState.fresh(replace(self.base_config))
