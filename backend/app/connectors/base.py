"""The connector contract: one interface every social platform implements.

A connector turns a :class:`PublishRequest` into exactly one visible post on one platform account.
It raises only the :class:`ConnectorError` family; the worker decides what to do from the class:

* :class:`RateLimited` – re-queue at ``now + retry_after`` and pause the same scope.
* :class:`AuthExpired` – try :meth:`Connector.refresh_token` once if ``refreshable``, else the
  channel needs a reconnect; the publication is paused, not failed.
* :class:`TransientError` – retry with backoff. If ``outcome_unknown`` is set the visible call may
  have reached the platform: the worker must call :meth:`Connector.lookup` first and publish again
  only when it returns ``None``.
* Before deleting again after an attempt whose outcome is unknown (a worker died mid-call), the
  worker calls :meth:`Connector.exists` and deletes only a post that is still there.
* :class:`DuplicatePost` – the platform says the post already exists: reconcile via ``existing_id``
  or :meth:`Connector.lookup`, never fail the publication for it.
* :class:`PermanentError` – fix content or permissions; ``user_message`` is shown to editors.

Tokens live only in :class:`Credentials`, whose token fields are excluded from ``repr``; connectors
never put them into exception messages or logs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol, runtime_checkable

import httpx


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    X = "x"


DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
"""Timeout for ordinary API calls (connect 5 s, read/write/pool 30 s)."""

UPLOAD_TIMEOUT = httpx.Timeout(120.0, connect=5.0)
"""Timeout for media uploads."""


# ---------- errors (the only exceptions a connector may raise) ----------

RateLimitScope = Literal["app", "account", "endpoint", "publish_quota"]


class ConnectorError(Exception):
    """Base of all connector errors.

    ``message`` is for logs (never contains tokens); ``user_message`` is the human text for
    editors, preferably the platform's own (e.g. Graph ``error_user_msg``).
    """

    def __init__(
        self,
        message: str,
        *,
        user_message: str | None = None,
        platform_code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.user_message = user_message
        self.platform_code = platform_code
        self.http_status = http_status


class RateLimited(ConnectorError):
    """A rate limit or publishing quota was hit; ``retry_after`` seconds (always set, >= 0)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float,
        scope: RateLimitScope = "account",
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.retry_after = max(0.0, retry_after)
        self.scope: RateLimitScope = scope


class AuthExpired(ConnectorError):
    """The token is expired or revoked. ``refreshable``: a refresh may fix it."""

    def __init__(self, message: str, *, refreshable: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.refreshable = refreshable


class TransientError(ConnectorError):
    """A temporary failure (5xx, timeout, network, processing not finished).

    ``outcome_unknown`` is True when the visible call may have reached the platform (timeout or
    dropped connection after sending it, 5xx on the create call); the worker must reconcile with
    :meth:`Connector.lookup` before publishing again.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


class PermanentError(ConnectorError):
    """Retrying will not help (invalid content, missing permission, policy block).

    ``user_message`` is always set.
    """

    def __init__(self, message: str, *, user_message: str | None = None, **kw: Any) -> None:
        super().__init__(message, user_message=user_message or message, **kw)


class DuplicatePost(ConnectorError):
    """The platform refused the post as a duplicate of an existing one.

    ``existing_id`` is the platform id of that post when the platform tells it (LinkedIn); else
    the worker finds it with :meth:`Connector.lookup`.
    """

    def __init__(self, message: str, *, existing_id: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.existing_id = existing_id


# ---------- data ----------


@dataclass(frozen=True)
class Credentials:
    """Secrets of one connected account. Token fields never appear in ``repr``."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: dt.datetime | None = None
    refresh_expires_at: dt.datetime | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Account:
    """One connected Page / IG account / LinkedIn organization / Mastodon account.

    ``platform_account_id`` is the id the platform's API uses for the account (Page id, IG user
    id, ``urn:li:organization:…``, Mastodon account id). ``instance_url`` is set for federated
    platforms (Mastodon server, Bluesky PDS) and overrides the configured base URL.
    """

    platform: Platform
    platform_account_id: str
    credentials: Credentials
    handle: str | None = None
    instance_url: str | None = None


MediaKind = Literal["image", "video", "gif"]


@dataclass(frozen=True)
class MediaItem:
    """One attachment. ``url`` must be fetchable by the platform (Meta pulls by URL); platforms
    that take uploads (Mastodon) send ``content`` when given, else download ``url``."""

    kind: MediaKind
    url: str
    mime: str
    size_bytes: int
    alt_text: str | None = None
    content: bytes | None = field(default=None, repr=False)


_KEY_NAMESPACE = uuid.UUID("6f1d3a52-5b0e-4c8e-9a57-6b6c696e696b")


def idempotency_key_for(publication_id: str | uuid.UUID) -> str:
    """The stable idempotency key of a publication: the same on every attempt and every worker."""
    return str(uuid.uuid5(_KEY_NAMESPACE, str(publication_id)))


@dataclass(frozen=True)
class PublishRequest:
    """What to publish for one publication (one post on one account).

    ``publication_id`` is our id; ``idempotency_key`` is derived from it so every retry of the
    same publication sends the same key (Mastodon ``Idempotency-Key``) and reconciliation can
    recognise the post. ``link`` is already UTM-tagged; connectors append it to the text when the
    platform has no link field.
    """

    publication_id: str
    text: str
    media: Sequence[MediaItem] = ()
    link: str | None = None
    language: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        return idempotency_key_for(self.publication_id)


@dataclass(frozen=True)
class PublishResult:
    platform_post_id: str
    url: str | None = None
    published_at: dt.datetime | None = None


TextUnit = Literal["chars", "graphemes", "weighted"]


@dataclass(frozen=True)
class PlatformLimits:
    """Offline content limits used by :meth:`Connector.validate`."""

    text_max: int
    text_unit: TextUnit = "chars"
    url_weight: int | None = None
    max_media: int = 4
    max_videos: int = 1
    image_mimes: tuple[str, ...] = ("image/jpeg", "image/png")
    video_mimes: tuple[str, ...] = ("video/mp4",)
    image_max_bytes: int | None = None
    video_max_bytes: int | None = None
    hashtag_max: int | None = None
    alt_text_max: int | None = None
    requires_media: bool = False


@dataclass(frozen=True)
class ValidationIssue:
    """One problem with a request. ``code`` is stable (the UI translates it); ``message`` is a
    German sentence for editors; ``blocking`` issues make the platform refuse the post."""

    field: str
    code: str
    message: str
    blocking: bool = True


@dataclass(frozen=True)
class MetricPoint:
    """One metric value. ``value`` None means unavailable, never a fake 0."""

    metric: str
    value: float | None
    source_metric: str


# ---------- the interface ----------


@runtime_checkable
class Connector(Protocol):
    """Publishing on one platform. Implementations are stateless apart from their HTTP client."""

    platform: Platform
    limits: PlatformLimits

    def validate(self, request: PublishRequest) -> list[ValidationIssue]:
        """Pure and offline: length in the platform's unit, media and hashtag limits."""
        ...

    async def publish(self, account: Account, request: PublishRequest) -> PublishResult:
        """Create the post. Invisible steps (uploads, containers, processing polls) come first;
        exactly one call makes the post visible and it is never retried inside the connector.
        Raises ``TransientError(outcome_unknown=True)`` when that call may have succeeded."""
        ...

    async def lookup(
        self, account: Account, request: PublishRequest, since: dt.datetime
    ) -> PublishResult | None:
        """Reconciliation: find the post this request created at or after ``since`` (the start of
        the uncertain attempt), or ``None`` when it does not exist. Read-only."""
        ...

    async def delete(self, account: Account, platform_post_id: str) -> None:
        """Delete a post. A post that is already gone counts as deleted."""
        ...

    async def exists(self, account: Account, platform_post_id: str) -> bool:
        """Reconciliation before a repeated delete: whether the post can still be read by id
        (``False`` when the platform answers "not found" / "does not exist"). Read-only; errors
        map like every other call (auth expired, rate limited, transient)."""
        ...

    async def refresh_token(self, account: Account) -> Credentials:
        """New credentials for the account; returns them unchanged where tokens do not expire.
        Raises :class:`AuthExpired` when only a reconnect helps."""
        ...


@runtime_checkable
class SupportsMetrics(Protocol):
    """Optional: connectors that can read post metrics."""

    async def fetch_metrics(
        self, account: Account, platform_post_ids: Sequence[str]
    ) -> dict[str, list[MetricPoint]]:
        """Metrics per post id; posts the platform no longer knows are left out."""
        ...
