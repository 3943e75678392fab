"""A small XRPC client for one Bluesky PDS (AT Protocol over HTTP) with error mapping.

Every call has an httpx timeout. Tokens travel only in the ``Authorization`` header; they never
appear in exception messages or logs. XRPC errors are ``{"error": "<Name>", "message": "…"}``
and are mapped to the connector error family:

* 429 / ``RateLimitExceeded`` → :class:`RateLimited` (``retry_after`` from ``RateLimit-Reset``)
* ``ExpiredToken`` → :class:`AuthExpired` (refreshable); ``InvalidToken``, ``AuthMissing``,
  other 401 → :class:`AuthExpired` (reconnect)
* 5xx, timeouts, network errors → :class:`TransientError` (``outcome_unknown`` on the visible call)
* other 4xx (``InvalidRequest``, 413 …) → :class:`PermanentError` with a German message
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from app.connectors.base import (
    DEFAULT_TIMEOUT,
    UPLOAD_TIMEOUT,
    AuthExpired,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 60.0
_REFRESHABLE = {"ExpiredToken"}
_RECONNECT = {"InvalidToken", "AuthMissing", "AuthenticationRequired", "AuthRequired"}
_ACCOUNT_BLOCKED = {"AccountTakedown", "AccountDeactivated", "AccountSuspended"}


class RecordNotFound(Exception):
    """``getRecord`` answered ``RecordNotFound``: there is no record under that key (internal)."""


class RecordExists(Exception):
    """``createRecord`` with an ``rkey`` that is already taken (internal)."""


@dataclass(frozen=True)
class Session:
    """What ``createSession``/``refreshSession`` return. Tokens stay out of ``repr``."""

    did: str
    handle: str
    access_jwt: str = field(repr=False)
    refresh_jwt: str = field(repr=False)
    pds_url: str | None = None  # the account's own PDS from the DID document, when sent


@dataclass(frozen=True)
class StrongRef:
    uri: str
    cid: str


def jwt_expiry(token: str) -> dt.datetime | None:
    """The ``exp`` of a JWT, read without verifying it (only to schedule refreshes)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    except (IndexError, KeyError, TypeError, ValueError):
        return None


def _pds_from_did_doc(doc: Any) -> str | None:
    if not isinstance(doc, Mapping):
        return None
    for service in doc.get("service") or ():
        if (
            isinstance(service, Mapping)
            and str(service.get("id", "")).endswith("#atproto_pds")
            and service.get("type") == "AtprotoPersonalDataServer"
            and isinstance(service.get("serviceEndpoint"), str)
        ):
            return str(service["serviceEndpoint"]).rstrip("/")
    return None


def retry_after_from(response: httpx.Response, *, now: float | None = None) -> float:
    """Seconds to wait: ``Retry-After`` (seconds or HTTP date), else ``RateLimit-Reset``
    (epoch seconds on the Bluesky PDS), else a default."""
    now = time.time() if now is None else now
    retry_after = response.headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(retry_after)
            if parsed is not None:
                return max(0.0, parsed.timestamp() - now)
    reset = response.headers.get("ratelimit-reset")
    if reset:
        try:
            value = float(reset)
        except ValueError:
            pass
        else:
            # Epoch seconds (Bluesky) or delta seconds (IETF draft).
            return max(0.0, value - now) if value > 1_000_000_000 else max(0.0, value)
    return DEFAULT_RETRY_AFTER


def _error_body(response: httpx.Response) -> tuple[str | None, str]:
    try:
        body = response.json()
    except ValueError:
        return None, response.reason_phrase or f"HTTP {response.status_code}"
    if not isinstance(body, Mapping):
        return None, f"HTTP {response.status_code}"
    name = body.get("error")
    message = body.get("message")
    return (
        str(name) if name else None,
        str(message) if message else str(name or f"HTTP {response.status_code}"),
    )


def map_error(nsid: str, response: httpx.Response, *, visible: bool = False) -> ConnectorError:
    """The connector error for a failed XRPC response (status >= 400)."""
    status = response.status_code
    name, message = _error_body(response)
    what = f"{nsid}: HTTP {status} {name or ''} {message}".strip()
    common: dict[str, Any] = {"platform_code": name, "http_status": status}
    if status == 429 or name == "RateLimitExceeded":
        return RateLimited(what, retry_after=retry_after_from(response), scope="account", **common)
    if name in _REFRESHABLE:
        return AuthExpired(what, refreshable=True, **common)
    if name in _ACCOUNT_BLOCKED:
        return PermanentError(
            what,
            user_message=f"Das Bluesky-Konto ist gesperrt oder deaktiviert ({message}).",
            **common,
        )
    if name in _RECONNECT or status in (401, 403):
        return AuthExpired(what, refreshable=False, **common)
    if status >= 500:
        return TransientError(what, outcome_unknown=visible, **common)
    if status == 413:
        return PermanentError(
            what,
            user_message="Die Datei ist für Bluesky zu groß (höchstens 1 MB je Bild).",
            **common,
        )
    return PermanentError(
        what, user_message=f"Bluesky hat die Anfrage abgelehnt: {message}", **common
    )


class XrpcClient:
    """XRPC calls against one PDS. ``http`` is the shared client; ``base_url`` the PDS."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        upload_timeout: httpx.Timeout = UPLOAD_TIMEOUT,
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._upload_timeout = upload_timeout

    async def _call(
        self,
        method: str,
        nsid: str,
        *,
        token: str | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
        visible: bool = False,
        upload: bool = False,
    ) -> httpx.Response:
        headers: dict[str, str] = {"accept": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        if content_type is not None:
            headers["content-type"] = content_type
        url = f"{self.base_url}/xrpc/{nsid}"
        try:
            response = await self._http.request(
                method,
                url,
                params=params,
                json=json_body,
                content=content,
                headers=headers,
                timeout=self._upload_timeout if upload else self._timeout,
            )
        except httpx.ConnectError as exc:  # the request was never sent
            raise TransientError(f"{nsid}: cannot connect ({type(exc).__name__})") from None
        except httpx.TimeoutException as exc:
            sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            raise TransientError(
                f"{nsid}: timeout ({type(exc).__name__})", outcome_unknown=visible and sent
            ) from None
        except httpx.TransportError as exc:
            raise TransientError(
                f"{nsid}: network error ({type(exc).__name__})", outcome_unknown=visible
            ) from None
        log.debug("bluesky %s %s -> %s", method, nsid, response.status_code)
        return response

    @staticmethod
    def _json(nsid: str, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise TransientError(f"{nsid}: response is not JSON") from None
        if not isinstance(body, dict):
            raise TransientError(f"{nsid}: unexpected response")
        return body

    # --- sessions -----------------------------------------------------------------------------

    def _session(self, nsid: str, body: Mapping[str, Any]) -> Session:
        try:
            return Session(
                did=str(body["did"]),
                handle=str(body["handle"]),
                access_jwt=str(body["accessJwt"]),
                refresh_jwt=str(body["refreshJwt"]),
                pds_url=_pds_from_did_doc(body.get("didDoc")),
            )
        except KeyError as exc:
            raise TransientError(f"{nsid}: response without {exc.args[0]}") from None

    async def create_session(self, identifier: str, password: str) -> Session:
        nsid = "com.atproto.server.createSession"
        response = await self._call(
            "POST", nsid, json_body={"identifier": identifier, "password": password}
        )
        if response.status_code >= 400:
            error = map_error(nsid, response)
            if isinstance(error, AuthExpired):  # wrong handle or app password: a typing error
                raise PermanentError(
                    error.message,
                    user_message=(
                        "Anmeldung bei Bluesky fehlgeschlagen: Handle oder App-Passwort ist "
                        "falsch (oder das App-Passwort wurde widerrufen)."
                    ),
                    platform_code=error.platform_code,
                    http_status=error.http_status,
                )
            raise error
        return self._session(nsid, self._json(nsid, response))

    async def refresh_session(self, refresh_jwt: str) -> Session:
        nsid = "com.atproto.server.refreshSession"
        response = await self._call("POST", nsid, token=refresh_jwt)
        if response.status_code >= 400:
            error = map_error(nsid, response)
            if isinstance(error, AuthExpired):  # the refresh token itself is dead: reconnect
                raise AuthExpired(
                    error.message,
                    refreshable=False,
                    user_message="Die Bluesky-Sitzung ist abgelaufen; bitte das Konto neu verbinden.",
                    platform_code=error.platform_code,
                    http_status=error.http_status,
                )
            raise error
        return self._session(nsid, self._json(nsid, response))

    # --- records and blobs --------------------------------------------------------------------

    async def upload_blob(self, token: str, data: bytes, mime: str) -> dict[str, Any]:
        nsid = "com.atproto.repo.uploadBlob"
        response = await self._call(
            "POST", nsid, token=token, content=data, content_type=mime, upload=True
        )
        if response.status_code >= 400:
            raise map_error(nsid, response)
        blob = self._json(nsid, response).get("blob")
        if not isinstance(blob, dict):
            raise TransientError(f"{nsid}: response without blob")
        return blob

    async def create_record(
        self, token: str, repo: str, collection: str, rkey: str, record: Mapping[str, Any]
    ) -> StrongRef:
        """The visible call. Raises :class:`RecordExists` when ``rkey`` is already taken."""
        nsid = "com.atproto.repo.createRecord"
        response = await self._call(
            "POST",
            nsid,
            token=token,
            json_body={"repo": repo, "collection": collection, "rkey": rkey, "record": record},
            visible=True,
        )
        if response.status_code >= 400:
            name, message = _error_body(response)
            if response.status_code == 400 and _is_record_exists(name, message):
                raise RecordExists(rkey)
            raise map_error(nsid, response, visible=True)
        body = self._json(nsid, response)
        return StrongRef(uri=str(body.get("uri")), cid=str(body.get("cid")))

    async def get_record(self, repo: str, collection: str, rkey: str) -> dict[str, Any]:
        """``{uri, cid, value}``; raises :class:`RecordNotFound`. Unauthenticated (public)."""
        nsid = "com.atproto.repo.getRecord"
        response = await self._call(
            "GET", nsid, params={"repo": repo, "collection": collection, "rkey": rkey}
        )
        if response.status_code >= 400:
            name, _ = _error_body(response)
            if name == "RecordNotFound" or response.status_code == 404:
                raise RecordNotFound(rkey)
            raise map_error(nsid, response)
        return self._json(nsid, response)

    async def delete_record(self, token: str, repo: str, collection: str, rkey: str) -> None:
        nsid = "com.atproto.repo.deleteRecord"
        response = await self._call(
            "POST",
            nsid,
            token=token,
            json_body={"repo": repo, "collection": collection, "rkey": rkey},
        )
        if response.status_code >= 400:
            raise map_error(nsid, response)


def _is_record_exists(name: str | None, message: str) -> bool:
    text = message.lower()
    return name == "RecordAlreadyExists" or ("already exists" in text and "record" in text)
