"""Fault injection as an outermost ASGI middleware, so faults also hit transport behaviour.

`drop` and `drop_after_create` close the TCP connection without any response bytes: we start a
response whose header value is illegal, which makes uvicorn (h11 and httptools alike) raise
after marking the response as started — and on that path it closes the transport instead of
sending a 500. The client sees "server disconnected without sending a response"."""

from __future__ import annotations

import json
import logging

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.state import FaultRule, Sandbox, http_date
from sandbox.urls import route_path

CONTROL_PREFIX = "/_control"

logger = logging.getLogger("sandbox.faults")


class ConnectionDropped(Exception):
    """Raised on purpose to make the ASGI server close the connection without a response."""


class FaultMiddleware:
    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or route_path(scope).startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        rule = self._take(scope["method"], route_path(scope))
        if rule is None:
            await self.app(scope, receive, send)
            return
        logger.info("fault %s on %s %s", rule.action, scope["method"], scope["path"])
        if rule.action == "latency":
            await anyio.sleep(rule.latency_ms / 1000)
            await self.app(scope, receive, send)
        elif rule.action == "status":
            await _drain(receive)
            await _respond(send, rule, http_date(self.sandbox.state.now()))
        elif rule.action == "hang":
            await _drain(receive)
            with anyio.move_on_after(rule.hang_seconds):
                while (await receive())["type"] != "http.disconnect":
                    pass
                return  # the client gave up; nobody is left to answer
            await _drop(send)
        elif rule.action == "drop":
            await _drain(receive)
            await _drop(send)
        else:  # drop_after_create: let the handler commit its side effect, discard its answer.

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
            await _drop(send)

    def _take(self, method: str, path: str) -> FaultRule | None:
        for rule in self.sandbox.state.faults:
            if rule.matches(method, path):
                rule.times -= 1
                rule.hits += 1
                return rule
        return None


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _respond(send: Send, rule: FaultRule, date: str) -> None:
    if isinstance(rule.body, str):
        body = rule.body.encode()
        content_type = b"text/plain; charset=utf-8"
    else:
        body = json.dumps(rule.body if rule.body is not None else {"error": "injected"}).encode()
        content_type = b"application/json"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if not any(key.lower() == "date" for key in rule.headers):
        headers.append((b"date", date.encode()))
    headers += [(k.lower().encode(), v.encode()) for k, v in rule.headers.items()]
    await send({"type": "http.response.start", "status": rule.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop(send: Send) -> None:
    try:
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [(b"x-sandbox-drop", b"\r\n")],
            }
        )
    except Exception as exc:
        raise ConnectionDropped("connection dropped by sandbox fault") from exc
    raise ConnectionDropped("connection dropped by sandbox fault")
