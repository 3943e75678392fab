"""Meta Graph API plumbing shared by Facebook Pages and Instagram: the error envelope, the usage
headers, and a request helper. The token travels as the ``access_token`` parameter (Graph's
documented form) and never appears in messages."""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.connectors._http import json_object, retry_after_header, send
from app.connectors.base import (
    DEFAULT_TIMEOUT,
    AuthExpired,
    ConnectorError,
    DuplicatePost,
    PermanentError,
    RateLimited,
    RateLimitScope,
    TransientError,
)
from app.connectors.usage import UsageReport, report_usage

AUTH_CODES = frozenset({102, 190})
APP_THROTTLE_CODES = frozenset({4})
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, *range(80001, 80010)})
DUPLICATE_CODES = frozenset({506})
DUPLICATE_SUBCODES = frozenset({1366051})
TRANSIENT_CODES = frozenset({1, 2})
IG_QUOTA_SUBCODE = 2207042
IG_TRANSIENT_SUBCODES = frozenset({2207001, 2207003, 2207027, 2207032, 2207053, 2207082})

DEFAULT_RETRY_AFTER = 300.0
APP_RETRY_AFTER = 3600.0
QUOTA_RETRY_AFTER = 3600.0


def _parse_usage(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def usage_percent(headers: httpx.Headers) -> float:
    """The highest usage percentage in ``X-App-Usage`` and ``X-Business-Use-Case-Usage``."""
    values: list[float] = []
    app = _parse_usage(headers.get("x-app-usage"))
    if isinstance(app, dict):
        values += [float(v) for v in app.values() if isinstance(v, int | float)]
    for entry in _buc_entries(headers):
        values += [
            float(entry[key])
            for key in ("call_count", "total_time", "total_cputime")
            if isinstance(entry.get(key), int | float)
        ]
    return max(values, default=0.0)


def _percent(entry: Any, keys: tuple[str, ...]) -> float | None:
    if not isinstance(entry, dict):
        return None
    values = [float(entry[k]) for k in keys if isinstance(entry.get(k), int | float)]
    return max(values) if values else None


_USAGE_KEYS = ("call_count", "total_time", "total_cputime")


def usage_reports(headers: httpx.Headers) -> list[UsageReport]:
    """What one Graph response says about our budgets (platforms.md §2.3): ``X-App-Usage``
    for the app; ``X-Business-Use-Case-Usage`` (with ``estimated_time_to_regain_access`` in
    minutes) and ``X-Page-Usage`` for the Page or Instagram account the call was charged to."""
    reports: list[UsageReport] = []
    app = _percent(_parse_usage(headers.get("x-app-usage")), _USAGE_KEYS)
    if app is not None:
        reports.append(UsageReport("app", app))
    for entry in _buc_entries(headers):
        percent = _percent(entry, _USAGE_KEYS)
        if percent is None:
            continue
        regain = entry.get("estimated_time_to_regain_access")
        minutes = float(regain) if isinstance(regain, int | float) else 0.0
        reports.append(UsageReport("account", percent, max(0.0, minutes) * 60.0))
    page = _parse_usage(headers.get("x-page-usage"))
    percent = _percent(page, _USAGE_KEYS)
    if percent is not None:
        regain = page.get("estimated_time_to_regain_access")
        minutes = float(regain) if isinstance(regain, int | float) else 0.0
        reports.append(UsageReport("account", percent, max(0.0, minutes) * 60.0))
    return reports


def _buc_entries(headers: httpx.Headers) -> list[dict[str, Any]]:
    buc = _parse_usage(headers.get("x-business-use-case-usage"))
    if not isinstance(buc, dict):
        return []
    return [
        entry
        for entries in buc.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]


def throttle_retry_after(response: httpx.Response, *, app_level: bool) -> float:
    """Seconds to wait after a Graph throttle: ``Retry-After``, else the largest BUC
    ``estimated_time_to_regain_access`` (minutes), else 1 h for app-level limits (X-App-Usage
    at 100 %), else 5 min."""
    header = retry_after_header(response)
    if header is not None:
        return header
    minutes = [
        float(entry["estimated_time_to_regain_access"])
        for entry in _buc_entries(response.headers)
        if isinstance(entry.get("estimated_time_to_regain_access"), int | float)
    ]
    if minutes and max(minutes) > 0:
        return max(minutes) * 60.0
    if app_level or usage_percent(response.headers) >= 100:
        return APP_RETRY_AFTER
    return DEFAULT_RETRY_AFTER


def map_error(response: httpx.Response, *, visible: bool = False) -> ConnectorError:
    """The connector error for a failed Graph response, by ``error.code``/``error_subcode``
    (never by HTTP status alone); ``is_transient`` is the tie-breaker for unknown codes."""
    status = response.status_code
    error = json_object(response).get("error")
    if not isinstance(error, dict):
        label = f"{response.request.method} {response.request.url.path}: HTTP {status}"
        if status == 429:
            return RateLimited(
                label,
                retry_after=throttle_retry_after(response, app_level=False),
                http_status=status,
            )
        if status >= 500:
            return TransientError(label, outcome_unknown=visible, http_status=status)
        return PermanentError(label, user_message=f"Unerwartete Antwort (HTTP {status}).")
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    technical = str(error.get("message") or "Graph error")
    human = str(error.get("error_user_msg") or technical)
    fbtrace = error.get("fbtrace_id")
    message = f"Graph {code}/{subcode}: {technical}" + (
        f" (fbtrace_id {fbtrace})" if fbtrace else ""
    )
    common: dict[str, Any] = {
        "platform_code": f"{code}/{subcode}" if subcode else str(code),
        "http_status": status,
        "user_message": human,
    }
    if code in AUTH_CODES:
        return AuthExpired(message, **common)
    if subcode == IG_QUOTA_SUBCODE:
        scope: RateLimitScope = "publish_quota"
        return RateLimited(message, retry_after=QUOTA_RETRY_AFTER, scope=scope, **common)
    if code in THROTTLE_CODES:
        app_level = code in APP_THROTTLE_CODES
        return RateLimited(
            message,
            retry_after=throttle_retry_after(response, app_level=app_level),
            scope="app" if app_level else "account",
            **common,
        )
    if code in DUPLICATE_CODES or subcode in DUPLICATE_SUBCODES:
        return DuplicatePost(message, **common)
    if (
        code in TRANSIENT_CODES
        or subcode in IG_TRANSIENT_SUBCODES
        or error.get("is_transient") is True
        or (status >= 500 and error.get("is_transient") is not False)
    ):
        return TransientError(message, outcome_unknown=visible, **common)
    return PermanentError(message, **common)


OBJECT_MISSING = "100/33"
"""``Unsupported get/delete request. Object with ID '…' does not exist, cannot be loaded due to
missing permissions, or does not support this operation``."""


def is_missing_object(exc: ConnectorError) -> bool:
    """Graph's "object does not exist" (code 100, subcode 33; or code 100 saying so)."""
    if not isinstance(exc, PermanentError):
        return False
    return exc.platform_code == OBJECT_MISSING or (
        exc.platform_code == "100" and "does not exist" in exc.message
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class GraphClient:
    """Graph calls with one token. ``base_url`` includes the version (``…/v24.0``)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        access_token: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._token = access_token
        self._timeout = timeout
        self.last_usage_percent = 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._base!r})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        visible: bool = False,
    ) -> dict[str, Any]:
        """One Graph call; GETs and DELETEs carry parameters in the query, POSTs in the form."""
        query = dict(params or {})
        form = dict(data or {})
        if method == "POST":
            form["access_token"] = self._token
        else:
            query["access_token"] = self._token
        response = await send(
            self._http,
            method,
            f"{self._base}/{path.lstrip('/')}",
            visible=visible,
            http_timeout=self._timeout,
            params=query,
            data=form or None,
        )
        self.last_usage_percent = usage_percent(response.headers)
        report_usage(*usage_reports(response.headers))
        if response.status_code >= 400 or "error" in json_object(response):
            raise map_error(response, visible=visible)
        return json_object(response)

    async def object_exists(self, object_id: str) -> bool:
        """``GET /{id}?fields=id`` — False when Graph says the object does not exist."""
        try:
            await self.request("GET", object_id, params={"fields": "id"})
        except ConnectorError as exc:
            if is_missing_object(exc):
                return False
            raise
        return True
