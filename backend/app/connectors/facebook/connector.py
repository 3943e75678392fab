"""Facebook Pages: unpublished photo uploads, then one ``POST /{page}/feed``.

Graph has no idempotency key; reconciliation searches ``/{page}/feed`` since the uncertain
attempt for a post whose message equals ours (our marker is the exact text). A retry of the same
text may be refused with code 506, mapped to :class:`DuplicatePost`.
"""

from __future__ import annotations

import datetime as dt
import re

import httpx

from app.connectors._graph import is_missing_object
from app.connectors._http import parse_timestamp
from app.connectors.base import (
    Account,
    ConnectorError,
    Credentials,
    PermanentError,
    Platform,
    PlatformLimits,
    PublishRequest,
    PublishResult,
    ValidationIssue,
)
from app.connectors.facebook.client import FacebookClient
from app.connectors.settings import ConnectorSettings
from app.connectors.validation import check_common, refuse_invalid

LIMITS = PlatformLimits(
    text_max=63_206,
    text_unit="chars",
    max_media=10,
    max_videos=0,
    image_mimes=("image/jpeg", "image/png", "image/gif"),
    video_mimes=(),
    image_max_bytes=4 * 1_048_576,
)

_SPACE_RE = re.compile(r"\s+")


def _normalise(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


class FacebookConnector:
    platform = Platform.FACEBOOK
    limits = LIMITS

    def __init__(self, settings: ConnectorSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    def _client(self, account: Account) -> FacebookClient:
        base = account.instance_url or self._settings.facebook_graph_url
        return FacebookClient(
            self._http,
            base,
            account.credentials.access_token,
            timeout=self._settings.request_timeout(),
        )

    def validate(self, request: PublishRequest) -> list[ValidationIssue]:
        return check_common(request, self.limits, len(request.text))

    async def publish(self, account: Account, request: PublishRequest) -> PublishResult:
        refuse_invalid(self.validate(request))
        client = self._client(account)
        page_id = account.platform_account_id
        photo_ids = [
            await client.upload_unpublished_photo(page_id, item.url, item.alt_text)
            for item in request.media
        ]
        post_id = await client.create_feed_post(
            page_id, message=request.text, link=request.link, photo_ids=photo_ids
        )
        try:
            return _result(await client.get_post(post_id))
        except ConnectorError:
            return PublishResult(platform_post_id=post_id)

    async def lookup(
        self, account: Account, request: PublishRequest, since: dt.datetime
    ) -> PublishResult | None:
        """The newest Page post since ``since`` (minus one minute of clock skew) whose message
        equals the request text. Identical texts in that window are indistinguishable."""
        wanted = _normalise(request.text)
        posts = await self._client(account).feed_since(
            account.platform_account_id, since - dt.timedelta(minutes=1)
        )
        for post in posts:
            if _normalise(str(post.get("message", ""))) == wanted:
                return _result(post)
        return None

    async def delete(self, account: Account, platform_post_id: str) -> None:
        try:
            await self._client(account).delete_object(platform_post_id)
        except PermanentError as exc:
            if not is_missing_object(exc):
                raise

    async def exists(self, account: Account, platform_post_id: str) -> bool:
        return await self._client(account).object_exists(platform_post_id)

    async def refresh_token(self, account: Account) -> Credentials:
        """Page tokens from a long-lived user token do not expire; checks the token still works."""
        await self._client(account).page(account.platform_account_id)
        return account.credentials


def _result(post: dict[str, object]) -> PublishResult:
    return PublishResult(
        platform_post_id=str(post["id"]),
        url=str(post["permalink_url"]) if post.get("permalink_url") else None,
        published_at=parse_timestamp(str(post.get("created_time", ""))),
    )


def create_connector(settings: ConnectorSettings, http: httpx.AsyncClient) -> FacebookConnector:
    return FacebookConnector(settings, http)
