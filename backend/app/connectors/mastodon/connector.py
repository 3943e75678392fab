"""Mastodon: media upload (v2, processing poll) then one ``POST /api/v1/statuses`` with the
publication's ``Idempotency-Key``; a resend within an hour returns the same status."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
import time

import httpx

from app.connectors._http import parse_timestamp
from app.connectors.base import (
    Account,
    Credentials,
    Platform,
    PlatformLimits,
    PublishRequest,
    PublishResult,
    TransientError,
    ValidationIssue,
)
from app.connectors.mastodon.client import MastodonClient
from app.connectors.settings import ConnectorSettings
from app.connectors.text import compose, grapheme_length, replace_urls
from app.connectors.validation import check_common, refuse_invalid

URL_WEIGHT = 23
MENTION_RE = re.compile(r"(?<![/\w])@(\w+)@[\w.\-]+\w", re.IGNORECASE)

LIMITS = PlatformLimits(
    text_max=500,
    text_unit="graphemes",
    url_weight=URL_WEIGHT,
    max_media=4,
    max_videos=1,
    image_mimes=("image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/avif"),
    video_mimes=("video/mp4", "video/quicktime", "video/webm"),
    image_max_bytes=16_777_216,
    video_max_bytes=103_809_024,
    alt_text_max=1500,
)


def countable_length(text: str, *, url_weight: int = URL_WEIGHT) -> int:
    """Length as Mastodon counts it: graphemes, every URL as ``url_weight``, remote mentions
    ``@user@domain`` as ``@user``."""
    text = replace_urls(text, "x" * url_weight)
    text = MENTION_RE.sub(r"@\1", text)
    return grapheme_length(text)


_BREAK_RE = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")


def _normalise(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _comparable(text: str) -> str:
    return _normalise(MENTION_RE.sub(r"@\1", text))


def plain_text(content_html: str) -> str:
    """Mastodon's rendered status HTML back to whitespace-normalised plain text."""
    text = _TAG_RE.sub("", _BREAK_RE.sub(" ", content_html))
    return _normalise(html.unescape(text))


class MastodonConnector:
    """Publishing to a Mastodon account; ``Account.instance_url`` selects the server."""

    platform = Platform.MASTODON
    limits = LIMITS

    def __init__(self, settings: ConnectorSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    def _client(self, account: Account) -> MastodonClient:
        base = account.instance_url or self._settings.mastodon_url
        return MastodonClient(
            self._http,
            base,
            account.credentials.access_token,
            timeout=self._settings.request_timeout(),
            upload_timeout=self._settings.upload_timeout(),
        )

    def validate(self, request: PublishRequest) -> list[ValidationIssue]:
        text = compose(request.text, request.link)
        return check_common(request, self.limits, countable_length(text))

    async def publish(self, account: Account, request: PublishRequest) -> PublishResult:
        refuse_invalid(self.validate(request))
        client = self._client(account)
        media_ids = [
            await self._upload(client, index, request) for index in range(len(request.media))
        ]
        status = await client.create_status(
            status=compose(request.text, request.link),
            media_ids=media_ids,
            idempotency_key=request.idempotency_key,
            language=request.language,
            visibility=str(request.options.get("visibility", "public")),
        )
        return _result(status)

    async def _upload(self, client: MastodonClient, index: int, request: PublishRequest) -> str:
        item = request.media[index]
        content = item.content if item.content is not None else await client.fetch_bytes(item.url)
        extension = item.mime.rsplit("/", 1)[-1]
        media_id, ready = await client.upload_media(
            content,
            filename=f"media-{index}.{extension}",
            mime=item.mime,
            description=item.alt_text,
        )
        deadline = time.monotonic() + self._settings.media_poll_max_seconds
        while not ready:
            if time.monotonic() >= deadline:
                raise TransientError(f"media {media_id} still processing", retry_after=60.0)
            await asyncio.sleep(self._settings.media_poll_interval_seconds)
            ready = await client.media_ready(media_id)
        return media_id

    async def lookup(
        self, account: Account, request: PublishRequest, since: dt.datetime
    ) -> PublishResult | None:
        """The newest own status created since ``since`` (minus one minute of clock skew) whose
        text equals the request's. Two publications with identical text in that window are
        indistinguishable; the newest wins. Remote mentions compare as ``@user``: the rendered
        status shows a resolved ``@user@domain`` only as ``@user``."""
        wanted = _comparable(compose(request.text, request.link))
        earliest = since - dt.timedelta(minutes=1)
        for status in await self._client(account).account_statuses(account.platform_account_id):
            created = parse_timestamp(str(status.get("created_at", "")))
            if created is not None and created < earliest:
                break
            if _comparable(plain_text(str(status.get("content", "")))) == wanted:
                return _result(status)
        return None

    async def delete(self, account: Account, platform_post_id: str) -> None:
        await self._client(account).delete_status(platform_post_id)

    async def exists(self, account: Account, platform_post_id: str) -> bool:
        return await self._client(account).status_exists(platform_post_id)

    async def refresh_token(self, account: Account) -> Credentials:
        """Mastodon tokens do not expire; checks the token is still accepted."""
        await self._client(account).verify_credentials()
        return account.credentials


def _result(status: dict[str, object]) -> PublishResult:
    return PublishResult(
        platform_post_id=str(status["id"]),
        url=str(status["url"]) if status.get("url") else None,
        published_at=parse_timestamp(str(status.get("created_at", ""))),
    )


def create_connector(settings: ConnectorSettings, http: httpx.AsyncClient) -> MastodonConnector:
    return MastodonConnector(settings, http)
