"""ASGI middleware: security headers (SEC-27) and a request body limit (SEC-16)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.errors import problem_response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
MiB = 1024 * 1024
MAX_BODY_BYTES = MiB
UPLOAD_MAX_BYTES = 20 * MiB
"""The largest media file ``POST /api/v1/media`` accepts (the service checks the file itself)."""
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    # The one place that allows a larger body: media uploads (multipart adds a few headers).
    ("/api/v1/media", UPLOAD_MAX_BYTES + 64 * 1024),
    # Signed consent documents (PUT /api/v1/consents/{id}/document, at most 10 MiB).
    ("/api/v1/consents", 10 * MiB + 64 * 1024),
    # Meta batches up to 1,000 updates into one signed webhook delivery.
    ("/api/v1/webhooks", 4 * MiB),
)
"""Per path prefix (whole segments) the largest request body; every other path gets
``MAX_BODY_BYTES`` (SEC-16: JSON ≤ 1 MiB)."""
_HEADERS = {
    b"strict-transport-security": b"max-age=31536000; includeSubDomains",
    b"content-security-policy": CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                ours = dict(_HEADERS)
                if is_api:
                    ours[b"cache-control"] = b"no-store"
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in ours]
                message["headers"] = kept + list(ours.items())
            await send(message)

        await self.app(scope, receive, send_with_headers)


def body_limit_for(path: str, limits: tuple[tuple[str, int], ...] = BODY_LIMITS) -> int | None:
    """The body limit ``BODY_LIMITS`` sets for ``path``, None when the default applies."""
    for prefix, limit in limits:
        if path == prefix or path.startswith(prefix + "/"):
            return limit
    return None


def _too_large(max_bytes: int) -> Response:
    size = f"{max_bytes // MiB} MiB" if max_bytes % MiB == 0 else f"{max_bytes / MiB:.1f} MiB"
    return problem_response(
        413, "Payload too large", f"The request body is larger than {size}.", "payload-too-large"
    )


class BodyLimit:
    """Refuse request bodies over the path's limit (1 MiB unless ``BODY_LIMITS`` says more)
    with 413 before the route reads them."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        limits: tuple[tuple[str, int], ...] = BODY_LIMITS,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = body_limit_for(scope["path"], self.limits) or self.max_bytes
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            await _too_large(max_bytes)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await _too_large(max_bytes)(scope, receive, send)


class BodyTooLarge(Exception):
    pass
