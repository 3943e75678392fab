"""LinkedIn organization pages: images via ``initializeUpload`` + ``PUT`` (invisible until used),
then one ``POST /rest/posts`` whose URN comes back in ``x-restli-id``.

LinkedIn has no idempotency key. Reconciliation reads the organization's posts
(``GET /rest/posts?q=author``) created since the uncertain attempt and matches the commentary;
a blind resend of the same commentary is refused with 422 ``DUPLICATE_POST`` naming the
existing URN (:class:`DuplicatePost` with ``existing_id``). Commentary is sent in the "little"
text format with every reserved character escaped (:mod:`.little`).

Access tokens live 60 days; approved apps get a refresh token valid 365 days from the first
consent (a refresh does not extend it). :meth:`LinkedInConnector.refresh_token` refreshes a
token that runs out within :data:`REFRESH_BEFORE` or no longer works, else only checks it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from typing import Any

import httpx

from app.connectors._http import utcnow
from app.connectors.base import (
    Account,
    AuthExpired,
    ConnectorError,
    Credentials,
    PermanentError,
    Platform,
    PlatformLimits,
    PublishRequest,
    PublishResult,
    TransientError,
    ValidationIssue,
)
from app.connectors.linkedin.client import LinkedInClient, credentials_from, token_request
from app.connectors.linkedin.little import escape, unescape
from app.connectors.settings import ConnectorSettings
from app.connectors.text import compose
from app.connectors.validation import check_common, refuse_invalid

LIMITS = PlatformLimits(
    text_max=3000,
    text_unit="chars",
    max_media=20,
    max_videos=0,
    image_mimes=("image/jpeg", "image/png", "image/gif"),
    video_mimes=(),
    alt_text_max=4086,
)
"""Commentary 3,000 characters; one image (``content.media``) or 2–20 (``multiImage``); JPG,
PNG, GIF. Video and documents are not implemented."""

REFRESH_BEFORE = dt.timedelta(days=7)
_SPACE_RE = re.compile(r"\s+")
ORGANIZATION_PREFIX = "urn:li:organization:"


def _normalise(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def commentary_for(request: PublishRequest) -> str:
    """The text as LinkedIn shows it: the link appended (the Posts API does not turn a bare
    link field into a preview), in little format."""
    return escape(compose(request.text, request.link))


class LinkedInConnector:
    platform = Platform.LINKEDIN
    limits = LIMITS

    def __init__(self, settings: ConnectorSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    def _client(self, account: Account, credentials: Credentials | None = None) -> LinkedInClient:
        creds = credentials or account.credentials
        return LinkedInClient(
            self._http,
            account.instance_url or self._settings.linkedin_api_url,
            creds.access_token,
            version=self._settings.linkedin_version,
            refreshable=creds.refresh_token is not None,
            timeout=self._settings.request_timeout(),
            upload_timeout=self._settings.upload_timeout(),
        )

    def permalink(self, urn: str) -> str:
        return f"{self._settings.linkedin_web_url.rstrip('/')}/feed/update/{urn}"

    def validate(self, request: PublishRequest) -> list[ValidationIssue]:
        return check_common(request, self.limits, len(compose(request.text, request.link)))

    async def publish(self, account: Account, request: PublishRequest) -> PublishResult:
        refuse_invalid(self.validate(request))
        client = self._client(account)
        author = account.platform_account_id
        images = [
            await self._upload(client, author, index, request)
            for index in range(len(request.media))
        ]
        payload: dict[str, Any] = {
            "author": author,
            "commentary": commentary_for(request),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            payload["content"] = {"media": images[0]}
        elif images:
            payload["content"] = {"multiImage": {"images": images}}
        urn, _ = await client.create_post(payload)
        try:
            return self._result(await client.get_post(urn))
        except ConnectorError:
            return PublishResult(platform_post_id=urn, url=self.permalink(urn))

    async def _upload(
        self, client: LinkedInClient, owner: str, index: int, request: PublishRequest
    ) -> dict[str, str]:
        item = request.media[index]
        content = item.content if item.content is not None else await client.fetch_bytes(item.url)
        upload_url, image = await client.initialize_image_upload(owner)
        await client.upload(upload_url, content, item.mime)
        deadline = time.monotonic() + self._settings.media_poll_max_seconds
        while (status := await client.image_status(image)) != "AVAILABLE":
            if status == "PROCESSING_FAILED":
                raise PermanentError(
                    f"image {image}: PROCESSING_FAILED",
                    user_message=f"LinkedIn konnte Bild {index + 1} nicht verarbeiten.",
                )
            if time.monotonic() >= deadline:
                raise TransientError(f"image {image} still {status}", retry_after=60.0)
            await asyncio.sleep(self._settings.media_poll_interval_seconds)
        entry = {"id": image}
        if item.alt_text:
            entry["altText"] = item.alt_text
        return entry

    async def lookup(
        self, account: Account, request: PublishRequest, since: dt.datetime
    ) -> PublishResult | None:
        """The newest published post of the organization created since ``since`` (minus one
        minute of clock skew) whose commentary shows the request's text. Identical texts in that
        window are indistinguishable; the newest wins."""
        wanted = _normalise(compose(request.text, request.link))
        earliest = int((since - dt.timedelta(minutes=1)).timestamp() * 1000)
        posts = await self._client(account).posts_by_author(account.platform_account_id)
        matches = [
            post
            for post in posts
            if post.get("lifecycleState", "PUBLISHED") == "PUBLISHED"
            and isinstance(post.get("createdAt"), int)
            and post["createdAt"] >= earliest
            and _normalise(unescape(str(post.get("commentary") or ""))) == wanted
        ]
        if not matches:
            return None
        return self._result(max(matches, key=lambda post: int(post["createdAt"])))

    async def delete(self, account: Account, platform_post_id: str) -> None:
        await self._client(account).delete_post(platform_post_id)

    async def exists(self, account: Account, platform_post_id: str) -> bool:
        return await self._client(account).post_exists(platform_post_id)

    async def refresh_token(self, account: Account) -> Credentials:
        """Refresh when the access token runs out within :data:`REFRESH_BEFORE` (or is refused)
        and a refresh token exists; else check it with a cheap read. Without a working refresh
        token an expired or revoked token is :class:`AuthExpired` (reconnect)."""
        creds = account.credentials
        due = creds.expires_at is not None and creds.expires_at - utcnow() <= REFRESH_BEFORE
        if creds.refresh_token and due:
            return await self._refresh(creds)
        organization = account.platform_account_id.removeprefix(ORGANIZATION_PREFIX)
        try:
            await self._client(account).organization(organization)
        except AuthExpired:
            if not creds.refresh_token:
                raise
            return await self._refresh(creds)
        return creds

    async def _refresh(self, creds: Credentials) -> Credentials:
        settings = self._settings
        if not settings.linkedin_configured() or settings.linkedin_client_secret is None:
            raise AuthExpired(
                "linkedin refresh: no client configured",
                user_message="Die LinkedIn-App ist nicht konfiguriert; bitte den Kanal neu "
                "verbinden.",
            )
        body = await token_request(
            self._http,
            settings.linkedin_oauth_url,
            {
                "grant_type": "refresh_token",
                "refresh_token": creds.refresh_token or "",
                "client_id": str(settings.linkedin_client_id),
                "client_secret": settings.linkedin_client_secret.get_secret_value(),
            },
            http_timeout=settings.request_timeout(),
        )
        return credentials_from(body, previous=creds)

    def _result(self, post: dict[str, Any]) -> PublishResult:
        urn = str(post["id"])
        published = post.get("publishedAt") or post.get("createdAt")
        return PublishResult(
            platform_post_id=urn,
            url=self.permalink(urn),
            published_at=dt.datetime.fromtimestamp(published / 1000, tz=dt.UTC)
            if isinstance(published, int)
            else None,
        )


def create_connector(settings: ConnectorSettings, http: httpx.AsyncClient) -> LinkedInConnector:
    return LinkedInConnector(settings, http)
