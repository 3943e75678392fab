"""`create_sandbox(config)`: the sandbox platform as one FastAPI app (bind it to 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from sandbox import control, graph, linkedin, mastodon, pages
from sandbox.faults import FaultMiddleware
from sandbox.inflight import InFlightMiddleware
from sandbox.state import Sandbox, SandboxConfig, http_date
from sandbox.urls import route_path

Handler = Callable[[Request], Awaitable[Response]]


def create_sandbox(config: SandboxConfig | None = None) -> FastAPI:
    sandbox = Sandbox(config or SandboxConfig())
    app = FastAPI(title="Klinikfunk Sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = sandbox

    async def mastodon_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, mastodon.MastodonError)
        return exc.response()

    async def graph_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, graph.GraphError)
        return JSONResponse(exc.body(sandbox.state.fbtrace_id()), status_code=exc.status)

    async def linkedin_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, linkedin.LinkedInError)
        return exc.response()

    app.add_exception_handler(mastodon.MastodonError, mastodon_error)
    app.add_exception_handler(linkedin.LinkedInError, linkedin_error)
    app.add_exception_handler(graph.GraphError, graph_error)

    @app.middleware("http")
    async def personality_headers(request: Request, call_next: Handler) -> Response:
        path = route_path(request.scope)
        if path.startswith(mastodon.PREFIX + "/"):
            response = await mastodon.rate_limit(sandbox, request, call_next)
        elif path.startswith("/graph/"):
            response = await graph.usage_headers(sandbox, request, call_next)
        elif path.startswith(linkedin.PREFIX + "/"):
            response = await linkedin.daily_limits(sandbox, request, call_next)
        else:
            response = await call_next(request)
        # The server clock is the virtual clock: clients compare reset times against `Date`.
        # Mounted inside another app, that app's server sends `Date` (see `date_header`).
        if sandbox.state.config.date_header:
            response.headers["Date"] = http_date(sandbox.state.now())
        return response

    app.include_router(control.router(sandbox))
    app.include_router(mastodon.router(sandbox))
    app.include_router(graph.router(sandbox))
    app.include_router(linkedin.router(sandbox))
    app.include_router(pages.router(sandbox))
    app.add_middleware(FaultMiddleware, sandbox=sandbox)
    app.add_middleware(InFlightMiddleware, sandbox=sandbox)  # outermost: latency counts
    return app
