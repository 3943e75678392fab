"""Counts platform-visible creates in flight per account, and the most seen at once.

Outermost middleware (fault latency counts as time in flight), so a test can assert that a
client's concurrency cap held: `GET /_control/in-flight` → `{"current": {...}, "max": {...}}`,
keyed `mastodon:<account id>` or `graph:<page or IG user id>`."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.state import Sandbox
from sandbox.urls import route_path

_GRAPH_CREATE = re.compile(r"^/graph/v[\d.]+/(\d+)/(feed|photos|media|media_publish)$")
_MASTODON_CREATE = "/mastodon/api/v1/statuses"


class InFlightMiddleware:
    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope) if scope["type"] == "http" and scope["method"] == "POST" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        state = self.sandbox.state
        current = state.in_flight.get(key, 0) + 1
        state.in_flight[key] = current
        state.max_in_flight[key] = max(state.max_in_flight.get(key, 0), current)
        try:
            await self.app(scope, receive, send)
        finally:
            state.in_flight[key] = state.in_flight.get(key, 1) - 1

    def _key(self, scope: Scope) -> str | None:
        path = route_path(scope)
        if path == _MASTODON_CREATE:
            for name, value in scope.get("headers", []):
                if name == b"authorization" and value[:7].lower() == b"bearer ":
                    token = self.sandbox.state.tokens.get(value[7:].decode("latin-1").strip())
                    if token is not None and token.subject_id:
                        return f"mastodon:{token.subject_id}"
            return None
        match = _GRAPH_CREATE.match(path)
        return f"graph:{match.group(1)}" if match else None
