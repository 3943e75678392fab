"""Thin Mastodon REST client: one method per endpoint, errors mapped to the connector family."""

from __future__ import annotations

from typing import Any

import httpx

from app.connectors._http import json_object, parse_timestamp, send, server_now
from app.connectors.base import (
    DEFAULT_TIMEOUT,
    UPLOAD_TIMEOUT,
    AuthExpired,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)

DEFAULT_RETRY_AFTER = 300.0


def rate_limit_retry_after(response: httpx.Response) -> float:
    """Seconds until ``X-RateLimit-Reset`` (ISO time or epoch) by the server's ``Date``."""
    raw = response.headers.get("x-ratelimit-reset")
    reset = parse_timestamp(raw) if raw else None
    if reset is None:
        return DEFAULT_RETRY_AFTER
    return max(0.0, (reset - server_now(response)).total_seconds())


def map_error(response: httpx.Response, *, visible: bool = False) -> ConnectorError:
    """The connector error for a non-2xx Mastodon response (``{"error": …}`` envelope)."""
    status = response.status_code
    body = json_object(response)
    detail = str(body.get("error") or response.reason_phrase or "error")
    label = f"{response.request.method} {response.request.url.path}: HTTP {status}"
    if status == 401:
        return AuthExpired(f"{label}: {detail}", http_status=status)
    if status == 429:
        return RateLimited(
            f"{label}: {detail}", retry_after=rate_limit_retry_after(response), http_status=status
        )
    if status >= 500:
        return TransientError(f"{label}: {detail}", outcome_unknown=visible, http_status=status)
    return PermanentError(f"{label}: {detail}", user_message=detail, http_status=status)


class MastodonClient:
    """Calls for one account on one instance. ``base_url`` is the instance root."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        access_token: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        upload_timeout: httpx.Timeout = UPLOAD_TIMEOUT,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._timeout = timeout
        self._upload_timeout = upload_timeout

    def __repr__(self) -> str:
        return f"MastodonClient({self._base!r})"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        visible: bool = False,
        ok: tuple[int, ...] = (200,),
        headers: dict[str, str] | None = None,
        http_timeout: httpx.Timeout | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        response = await send(
            self._http,
            method,
            self._base + path,
            visible=visible,
            http_timeout=http_timeout or self._timeout,
            headers={**self._headers, **(headers or {})},
            **kwargs,
        )
        if response.status_code not in ok:
            raise map_error(response, visible=visible)
        return response

    async def verify_credentials(self) -> dict[str, Any]:
        response = await self._request("GET", "/api/v1/accounts/verify_credentials")
        return json_object(response)

    async def upload_media(
        self, content: bytes, *, filename: str, mime: str, description: str | None
    ) -> tuple[str, bool]:
        """Upload one file; returns ``(media_id, ready)`` — not ready on 202 (still processing)."""
        data = {"description": description} if description else {}
        response = await self._request(
            "POST",
            "/api/v2/media",
            ok=(200, 202),
            files={"file": (filename, content, mime)},
            data=data,
            http_timeout=self._upload_timeout,
        )
        return str(json_object(response)["id"]), response.status_code == 200

    async def media_ready(self, media_id: str) -> bool:
        """Whether processing finished (200) or not yet (206); 422 is a processing error."""
        response = await self._request("GET", f"/api/v1/media/{media_id}", ok=(200, 206))
        return response.status_code == 200

    async def create_status(
        self,
        *,
        status: str,
        media_ids: list[str],
        idempotency_key: str,
        language: str | None,
        visibility: str,
    ) -> dict[str, Any]:
        """``POST /api/v1/statuses`` — the visible call; the key makes a resend return the same status."""
        payload: dict[str, Any] = {"status": status, "visibility": visibility}
        if media_ids:
            payload["media_ids"] = media_ids
        if language:
            payload["language"] = language
        response = await self._request(
            "POST",
            "/api/v1/statuses",
            visible=True,
            json=payload,
            headers={"Idempotency-Key": idempotency_key},
        )
        return json_object(response)

    async def delete_status(self, status_id: str) -> bool:
        """Delete a status; returns False when it did not exist (404)."""
        response = await self._request("DELETE", f"/api/v1/statuses/{status_id}", ok=(200, 404))
        return response.status_code == 200

    async def status_exists(self, status_id: str) -> bool:
        """``GET /api/v1/statuses/:id`` — False when the status is gone or unknown (404)."""
        response = await self._request("GET", f"/api/v1/statuses/{status_id}", ok=(200, 404))
        return response.status_code == 200

    async def account_statuses(self, account_id: str, *, limit: int = 40) -> list[dict[str, Any]]:
        """The account's newest statuses (no reblogs), newest first."""
        response = await self._request(
            "GET",
            f"/api/v1/accounts/{account_id}/statuses",
            params={"limit": limit, "exclude_reblogs": "true"},
        )
        body = response.json()
        return [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []

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
