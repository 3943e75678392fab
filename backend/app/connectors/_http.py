"""Shared HTTP plumbing: one request helper that turns transport failures into the error family.

Messages name the method and path only; query strings and headers (which may carry tokens) never
reach an exception.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from typing import Any

import httpx

from app.connectors.base import DEFAULT_TIMEOUT, TransientError


async def send(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    visible: bool = False,
    http_timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request; never retries.

    ``visible`` marks the call that makes a post visible: a failure after the request may have
    been sent becomes ``TransientError(outcome_unknown=True)``. Failures to connect are always
    ``outcome_unknown=False`` because nothing reached the platform.
    """
    label = f"{method} {httpx.URL(url).path}"
    try:
        return await http.request(method, url, timeout=http_timeout, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise TransientError(f"{label}: cannot connect ({type(exc).__name__})") from None
    except httpx.TransportError as exc:
        raise TransientError(
            f"{label}: no complete response ({type(exc).__name__})", outcome_unknown=visible
        ) from None


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object, or ``{}`` when it is not one."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def server_now(response: httpx.Response) -> dt.datetime:
    """The server's clock from the ``Date`` header, else ours."""
    raw = response.headers.get("date")
    if raw:
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return utcnow()


def retry_after_header(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or HTTP date)."""
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - server_now(response)).total_seconds())


def parse_timestamp(raw: str) -> dt.datetime | None:
    """An ISO-8601 datetime or integer epoch seconds, as an aware UTC datetime."""
    raw = raw.strip()
    try:
        return dt.datetime.fromtimestamp(float(raw), tz=dt.UTC)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
