"""Instagram: quota check → container(s) → status poll until FINISHED → one ``media_publish``.

Containers are invisible, so everything before ``media_publish`` may be repeated. Reconciliation
searches the account's recent media for our caption since the uncertain attempt.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from typing import Any

import httpx

from app.connectors._http import parse_timestamp
from app.connectors.base import (
    Account,
    ConnectorError,
    Credentials,
    MediaItem,
    PermanentError,
    Platform,
    PlatformLimits,
    PublishRequest,
    PublishResult,
    RateLimited,
    TransientError,
    ValidationIssue,
)
from app.connectors.instagram.client import InstagramClient
from app.connectors.settings import ConnectorSettings
from app.connectors.text import compose, hashtags
from app.connectors.validation import check_common, refuse_invalid

LIMITS = PlatformLimits(
    text_max=2200,
    text_unit="chars",
    max_media=10,
    max_videos=1,
    image_mimes=("image/jpeg",),
    video_mimes=("video/mp4", "video/quicktime"),
    image_max_bytes=8 * 1_048_576,
    video_max_bytes=1024 * 1_048_576,
    hashtag_max=30,
    requires_media=True,
)
RECOMMENDED_HASHTAGS = 5
QUOTA_RETRY_AFTER = 3600.0
DEFAULT_QUOTA_TOTAL = 50

_SPACE_RE = re.compile(r"\s+")


def _normalise(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


class InstagramConnector:
    platform = Platform.INSTAGRAM
    limits = LIMITS

    def __init__(self, settings: ConnectorSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    def _client(self, account: Account) -> InstagramClient:
        base = account.instance_url or self._settings.instagram_graph_url
        return InstagramClient(
            self._http,
            base,
            account.credentials.access_token,
            timeout=self._settings.request_timeout(),
        )

    def validate(self, request: PublishRequest) -> list[ValidationIssue]:
        caption = compose(request.text, request.link)
        issues = check_common(request, self.limits, len(caption))
        if len(hashtags(caption)) > RECOMMENDED_HASHTAGS:
            issues.append(
                ValidationIssue(
                    "text",
                    "many_hashtags",
                    f"Instagram empfiehlt höchstens {RECOMMENDED_HASHTAGS} Hashtags.",
                    blocking=False,
                )
            )
        if request.link:
            issues.append(
                ValidationIssue(
                    "link",
                    "link_not_clickable",
                    "Links in Instagram-Beiträgen sind nicht anklickbar.",
                    blocking=False,
                )
            )
        return issues

    async def publish(self, account: Account, request: PublishRequest) -> PublishResult:
        refuse_invalid(self.validate(request))
        client = self._client(account)
        ig_user = account.platform_account_id
        try:
            usage, total = await client.publishing_limit(ig_user)
        except (TransientError, PermanentError):
            # platforms.md §3.2: if the quota cannot be read, assume the default budget;
            # media_publish still refuses with subcode 2207042 when it is really used up.
            usage, total = 0, DEFAULT_QUOTA_TOTAL
        if usage >= total:
            raise RateLimited(
                f"Instagram publishing quota used up ({usage}/{total})",
                retry_after=QUOTA_RETRY_AFTER,
                scope="publish_quota",
                user_message=f"Das Tageslimit von {total} Instagram-Beiträgen ist erreicht.",
            )
        caption = compose(request.text, request.link)
        if len(request.media) == 1:
            container = await client.create_container(
                ig_user, {**_media_fields(request.media[0]), "caption": caption}
            )
        else:
            children = [
                await client.create_container(
                    ig_user, {**_media_fields(m), "is_carousel_item": "true"}
                )
                for m in request.media
            ]
            for child in children:
                await self._wait_finished(client, child)
            container = await client.create_container(
                ig_user,
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption},
            )
        await self._wait_finished(client, container)
        media_id = await client.media_publish(ig_user, container)
        try:
            return _result(await client.media(media_id))
        except ConnectorError:
            return PublishResult(platform_post_id=media_id)

    async def _wait_finished(self, client: InstagramClient, container: str) -> None:
        deadline = time.monotonic() + self._settings.media_poll_max_seconds
        while True:
            code, status = await client.container_status(container)
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code == "ERROR":
                raise PermanentError(
                    f"IG container {container} ERROR: {status}",
                    user_message=f"Instagram konnte die Medien nicht verarbeiten ({status}).",
                )
            if code == "EXPIRED":
                raise TransientError(f"IG container {container} expired")
            if time.monotonic() >= deadline:
                raise TransientError(f"IG container {container} still {code}", retry_after=60.0)
            await asyncio.sleep(self._settings.media_poll_interval_seconds)

    async def lookup(
        self, account: Account, request: PublishRequest, since: dt.datetime
    ) -> PublishResult | None:
        """The newest media since ``since`` (minus one minute) whose caption equals ours."""
        wanted = _normalise(compose(request.text, request.link))
        earliest = since - dt.timedelta(minutes=1)
        for media in await self._client(account).recent_media(account.platform_account_id):
            created = parse_timestamp(str(media.get("timestamp", "")))
            if created is not None and created < earliest:
                break
            if _normalise(str(media.get("caption", ""))) == wanted:
                return _result(media)
        return None

    async def delete(self, account: Account, platform_post_id: str) -> None:
        """The Instagram Graph API cannot delete feed media."""
        raise PermanentError(
            "Instagram media cannot be deleted via the API",
            user_message="Instagram-Beiträge lassen sich nur in der Instagram-App löschen.",
        )

    async def exists(self, account: Account, platform_post_id: str) -> bool:
        """Whether the media can still be read (a person may have deleted it in the app)."""
        return await self._client(account).object_exists(platform_post_id)

    async def refresh_token(self, account: Account) -> Credentials:
        """Page tokens (Facebook Login) do not expire; checks the token still works."""
        await self._client(account).account(account.platform_account_id)
        return account.credentials


def _media_fields(item: MediaItem) -> dict[str, Any]:
    if item.kind == "video":
        return {"media_type": "REELS", "video_url": item.url}
    fields: dict[str, Any] = {"image_url": item.url}
    if item.alt_text:
        fields["alt_text"] = item.alt_text
    return fields


def _result(media: dict[str, object]) -> PublishResult:
    return PublishResult(
        platform_post_id=str(media["id"]),
        url=str(media["permalink"]) if media.get("permalink") else None,
        published_at=parse_timestamp(str(media.get("timestamp", ""))),
    )


def create_connector(settings: ConnectorSettings, http: httpx.AsyncClient) -> InstagramConnector:
    return InstagramConnector(settings, http)
