"""Thin LinkedIn REST client (versioned ``/rest/…`` APIs) and the OAuth token calls, errors
mapped to the connector family (platforms.md §4.4, §10 classifier table).

Every call sends ``Authorization: Bearer``, ``LinkedIn-Version`` and
``X-Restli-Protocol-Version: 2.0.0``; URNs in paths and queries are URL-encoded."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

import httpx

from app.connectors._http import json_object, retry_after_header, send, server_now, utcnow
from app.connectors.base import (
    DEFAULT_TIMEOUT,
    UPLOAD_TIMEOUT,
    AuthExpired,
    ConnectorError,
    Credentials,
    DuplicatePost,
    PermanentError,
    RateLimited,
    RateLimitScope,
    TransientError,
)

SHORT_RETRY_AFTER = 60.0
"""A 429 without LinkedIn's daily-throttle body is infrastructure protection: back off briefly."""
DUPLICATE_URN_RE = re.compile(r"urn:li:(?:share|ugcPost):\d+")
TRANSIENT_MESSAGES = ("unable to obtain activity", "service unavailable")
FORBIDDEN_HINT = (
    "LinkedIn verweigert den Zugriff. Das verbundene LinkedIn-Mitglied braucht die Rolle "
    "Administrator der Unternehmensseite, und Klinikfunk braucht die Berechtigung "
    "w_organization_social – bitte den Kanal neu verbinden."
)
AUTH_HINT = (
    "Die LinkedIn-Anmeldung ist abgelaufen oder wurde widerrufen; bitte den Kanal neu verbinden."
)


def encode_urn(urn: str) -> str:
    """``urn:li:share:1`` → ``urn%3Ali%3Ashare%3A1`` for paths and query values."""
    return quote(urn, safe="")


def seconds_until_utc_midnight(now: dt.datetime) -> float:
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
    return max(1.0, (midnight - now.astimezone(dt.UTC)).total_seconds())


def throttle(response: httpx.Response, body: dict[str, Any]) -> RateLimited:
    """LinkedIn's limits are daily per application and per member and reset at 00:00 UTC; it
    sends no rate-limit headers. A ``Retry-After`` (rare) wins; a daily-throttle body parks the
    scope until midnight UTC (by the server's ``Date``); any other 429 is infrastructure
    protection and gets one short backoff."""
    message = str(body.get("message") or "Too Many Requests")
    label = f"{response.request.method} {response.request.url.path}: HTTP 429: {message}"
    code = str(body.get("code") or body.get("serviceErrorCode") or "") or None
    header = retry_after_header(response)
    scope: RateLimitScope = "app" if "APPLICATION" in message.upper() else "account"
    if header is not None:
        return RateLimited(
            label, retry_after=header, scope=scope, http_status=429, platform_code=code
        )
    daily = body.get("serviceErrorCode") == 101 or "throttle" in message.lower()
    retry_after = seconds_until_utc_midnight(server_now(response)) if daily else SHORT_RETRY_AFTER
    return RateLimited(
        label,
        retry_after=retry_after,
        scope=scope if daily else "endpoint",
        http_status=429,
        platform_code=code,
        user_message="Das Tageslimit von LinkedIn ist erreicht; es wird um 00:00 UTC zurückgesetzt."
        if daily
        else None,
    )


def _input_error_codes(body: dict[str, Any]) -> list[str]:
    details = body.get("errorDetails")
    errors = details.get("inputErrors") if isinstance(details, dict) else None
    if not isinstance(errors, list):
        return []
    return [str(e.get("code")) for e in errors if isinstance(e, dict) and e.get("code")]


def map_error(
    response: httpx.Response, *, visible: bool = False, refreshable: bool = False
) -> ConnectorError:
    """The connector error for a failed LinkedIn response: 401 → auth expired, 429 → rate
    limited, 422 ``DUPLICATE_POST`` → duplicate (with the existing URN from the message), 5xx
    and "Unable to obtain activity" → transient, other 4xx → permanent with a human message."""
    status = response.status_code
    body = json_object(response)
    message = str(body.get("message") or response.reason_phrase or "error")
    codes = _input_error_codes(body)
    code = str(
        body.get("code") or (codes[0] if codes else "") or body.get("serviceErrorCode") or ""
    )
    label = f"{response.request.method} {response.request.url.path}: HTTP {status}: {message}"
    common: dict[str, Any] = {"http_status": status, "platform_code": code or None}
    if status == 401:
        return AuthExpired(label, refreshable=refreshable, user_message=AUTH_HINT, **common)
    if status == 429:
        return throttle(response, body)
    if "DUPLICATE_POST" in codes or (status == 422 and "duplicate" in message.lower()):
        found = DUPLICATE_URN_RE.search(message)
        return DuplicatePost(
            label,
            existing_id=found.group(0) if found else None,
            user_message="LinkedIn kennt diesen Beitrag schon.",
            **common,
        )
    if status >= 500 or any(hint in message.lower() for hint in TRANSIENT_MESSAGES):
        return TransientError(label, outcome_unknown=visible, **common)
    if status == 403:
        return PermanentError(label, user_message=f"{FORBIDDEN_HINT} ({message})", **common)
    return PermanentError(label, user_message=message, **common)


class LinkedInClient:
    """Calls with one member access token against ``api_url`` (``https://api.linkedin.com``)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        api_url: str,
        access_token: str,
        *,
        version: str,
        refreshable: bool = False,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        upload_timeout: httpx.Timeout = UPLOAD_TIMEOUT,
    ) -> None:
        self._http = http
        self._base = api_url.rstrip("/")
        self._headers = {
            "Authorization": f"Bearer {access_token}",
            "LinkedIn-Version": version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        self._refreshable = refreshable
        self._timeout = timeout
        self._upload_timeout = upload_timeout

    def __repr__(self) -> str:
        return f"LinkedInClient({self._base!r})"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        visible: bool = False,
        ok: tuple[int, ...] = (200,),
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        response = await send(
            self._http,
            method,
            self._base + path,
            visible=visible,
            http_timeout=self._timeout,
            headers={**self._headers, **(headers or {})},
            **kwargs,
        )
        if response.status_code not in ok:
            raise map_error(response, visible=visible, refreshable=self._refreshable)
        return response

    async def organization(self, organization_id: str) -> dict[str, Any]:
        """``GET /rest/organizations/{id}`` (``localizedName``, ``vanityName``)."""
        return json_object(await self._request("GET", f"/rest/organizations/{organization_id}"))

    async def organization_acls(self) -> list[dict[str, Any]]:
        """The member's approved roles on organizations (``GET /rest/organizationAcls``)."""
        elements: list[dict[str, Any]] = []
        start = 0
        for _ in range(10):
            body = json_object(
                await self._request(
                    "GET",
                    "/rest/organizationAcls",
                    params={"q": "roleAssignee", "state": "APPROVED", "start": start, "count": 100},
                )
            )
            page = [e for e in body.get("elements", []) if isinstance(e, dict)]
            elements += page
            total = body.get("paging", {}).get("total")
            start += len(page)
            if not page or not isinstance(total, int) or start >= total:
                break
        return elements

    async def initialize_image_upload(self, owner: str) -> tuple[str, str]:
        """``POST /rest/images?action=initializeUpload`` → ``(upload_url, image_urn)``; the
        image is invisible until a post references it."""
        response = await self._request(
            "POST",
            "/rest/images",
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": owner}},
        )
        value = json_object(response).get("value")
        if not isinstance(value, dict) or not value.get("uploadUrl") or not value.get("image"):
            raise TransientError("POST /rest/images: no upload URL in the answer")
        return str(value["uploadUrl"]), str(value["image"])

    async def upload(self, upload_url: str, content: bytes, mime: str) -> None:
        """``PUT`` the bytes to the upload URL in one shot."""
        response = await send(
            self._http,
            "PUT",
            upload_url,
            http_timeout=self._upload_timeout,
            headers={"Authorization": self._headers["Authorization"], "Content-Type": mime},
            content=content,
        )
        if response.status_code not in (200, 201):
            raise map_error(response, refreshable=self._refreshable)

    async def image_status(self, image_urn: str) -> str:
        """``GET /rest/images/{urn}`` → ``WAITING_UPLOAD`` | ``PROCESSING`` | ``AVAILABLE`` |
        ``PROCESSING_FAILED``."""
        body = json_object(await self._request("GET", f"/rest/images/{encode_urn(image_urn)}"))
        return str(body.get("status") or "")

    async def create_post(self, payload: dict[str, Any]) -> tuple[str, httpx.Response]:
        """``POST /rest/posts`` — the visible call; the new URN is in ``x-restli-id``."""
        response = await self._request("POST", "/rest/posts", visible=True, ok=(201,), json=payload)
        urn = response.headers.get("x-restli-id") or str(json_object(response).get("id") or "")
        if not urn:
            raise TransientError(
                "POST /rest/posts: created without x-restli-id", outcome_unknown=True
            )
        return urn, response

    async def get_post(self, urn: str) -> dict[str, Any]:
        return json_object(await self._request("GET", f"/rest/posts/{encode_urn(urn)}"))

    async def post_exists(self, urn: str) -> bool:
        """``GET /rest/posts/{urn}`` — False when the post is gone or unknown (404/410)."""
        response = await self._request("GET", f"/rest/posts/{encode_urn(urn)}", ok=(200, 404, 410))
        return response.status_code == 200

    async def posts_by_author(self, author: str, *, count: int = 50) -> list[dict[str, Any]]:
        """The author's newest posts (``GET /rest/posts?q=author``), first page."""
        response = await self._request(
            "GET",
            "/rest/posts",
            params={"q": "author", "author": author, "count": count, "sortBy": "LAST_MODIFIED"},
            headers={"X-RestLi-Method": "FINDER"},
        )
        elements = json_object(response).get("elements")
        return [e for e in elements if isinstance(e, dict)] if isinstance(elements, list) else []

    async def delete_post(self, urn: str) -> bool:
        """Delete a post; False when it did not exist (404)."""
        response = await self._request(
            "DELETE",
            f"/rest/posts/{encode_urn(urn)}",
            ok=(200, 204, 404),
            headers={"X-RestLi-Method": "DELETE"},
        )
        return response.status_code != 404

    async def fetch_bytes(self, url: str) -> bytes:
        """Download a media file we host (for uploads without inline content)."""
        response = await send(self._http, "GET", url, http_timeout=self._upload_timeout)
        if response.status_code >= 500:
            raise TransientError(f"GET media file: HTTP {response.status_code}")
        if response.status_code != 200:
            raise PermanentError(
                f"GET media file: HTTP {response.status_code}",
                user_message="Die Mediendatei ist nicht mehr abrufbar.",
            )
        return response.content


# ---------- OAuth 2 (www.linkedin.com/oauth/v2) ----------


def credentials_from(body: dict[str, Any], *, previous: Credentials | None = None) -> Credentials:
    """Token answer → credentials. A refresh keeps the refresh token (and its fixed expiry)
    when the answer omits it."""
    now = utcnow()

    def after(key: str) -> dt.datetime | None:
        value = body.get(key)
        return now + dt.timedelta(seconds=float(value)) if isinstance(value, int | float) else None

    scope = str(body.get("scope") or "")
    refresh = body.get("refresh_token")
    return Credentials(
        access_token=str(body["access_token"]),
        refresh_token=str(refresh) if refresh else (previous.refresh_token if previous else None),
        expires_at=after("expires_in"),
        refresh_expires_at=after("refresh_token_expires_in")
        or (previous.refresh_expires_at if previous else None),
        scopes=tuple(s for s in re.split(r"[ ,]+", scope) if s),
    )


async def token_request(
    http: httpx.AsyncClient,
    oauth_url: str,
    form: dict[str, str],
    *,
    http_timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """``POST {oauth_url}/accessToken``. 400/401 (bad code, expired or revoked refresh token,
    wrong client) → :class:`AuthExpired`; 429 → :class:`RateLimited`; 5xx → transient."""
    response = await send(
        http, "POST", f"{oauth_url.rstrip('/')}/accessToken", http_timeout=http_timeout, data=form
    )
    body = json_object(response)
    if response.status_code == 200 and body.get("access_token"):
        return body
    label = f"POST /oauth/v2/accessToken: HTTP {response.status_code}: {body.get('error', '')}"
    if response.status_code == 429:
        raise throttle(response, body)
    if response.status_code >= 500 or response.status_code == 200:
        raise TransientError(label, http_status=response.status_code)
    raise AuthExpired(
        label,
        user_message="LinkedIn hat die Anmeldung nicht bestätigt "
        f"({body.get('error_description') or body.get('error') or 'ungültig'}); bitte den Kanal "
        "neu verbinden.",
        http_status=response.status_code,
        platform_code=str(body.get("error") or "") or None,
    )
