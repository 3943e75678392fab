"""The ASGI application: API under /api/v1 and, in the embedded mode, the built SPA at /."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

import app.models
import app.tasks  # noqa: F401  (registers every task)
from app.api import api_router
from app.auth.service import AuthService
from app.config import SANDBOX_PREFIX, Settings, get_settings
from app.kit.db import Database
from app.kit.errors import NotFound, install_error_handlers
from app.kit.http import BodyLimit, SecurityHeaders
from app.kit.logging import install_redaction
from app.worker.runner import Worker

API_DESCRIPTION = """Klinikfunk REST API — the same API the web app uses.

Authenticate with `POST /api/v1/auth/login` and send `Authorization: Bearer <access_token>`.
Errors are RFC 9457 problem details (`application/problem+json`). Objects outside the caller's
scope answer 404. Lists are cursor-paged: `?limit=&cursor=` → `{items, next_cursor}`.
"""


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_redaction()
        worker_task = None
        if settings.embedded_worker:
            worker = Worker(app.state.database, settings)
            worker_task = asyncio.create_task(worker.run())
        try:
            yield
        finally:
            if worker_task is not None:
                worker.stop()
                await worker_task
            if database is None:
                await app.state.database.dispose()

    app = FastAPI(
        title="Klinikfunk API",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.database = database or Database(settings.resolved_database_url)
    app.state.signing_key = settings.signing_key()
    app.state.auth_service = AuthService(settings, app.state.signing_key)

    install_error_handlers(app)
    app.add_middleware(BodyLimit)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-Klinikfunk-Client",
                "Idempotency-Key",
            ],
        )
    app.add_middleware(SecurityHeaders)
    if settings.sandbox_enabled:
        app.state.sandbox_app = _sandbox_app(settings)
        app.add_middleware(SandboxMount, sandbox=app.state.sandbox_app)  # outermost
    app.include_router(api_router)
    _mount_spa(app, settings.spa_dir)
    return app


def _sandbox_app(settings: Settings) -> ASGIApp:
    """The sandbox platform with the fixed demo world (``sandbox.demo``), so the demo's
    channels work after every restart although the sandbox keeps its state in memory."""
    from app.channels.service import redirect_uri
    from app.connectors.base import Platform
    from sandbox.app import create_sandbox
    from sandbox.state import SandboxConfig

    config = SandboxConfig(
        demo_world=True,
        demo_redirect_uris=[redirect_uri(settings, Platform.MASTODON)],
        date_header=False,  # uvicorn sends `Date` for the whole app
        # Comments and messages made in the sandbox reach the inbox like Meta's webhooks.
        webhook_url=f"{settings.base_url}/api/v1/webhooks/meta",
    )
    return create_sandbox(config)


class SandboxMount:
    """``/sandbox/…`` goes straight to the sandbox platform, as if it were another host: none
    of the API's middleware (CSP, body limit) applies and the SPA fallback never sees it. The
    prefix moves into ``root_path`` (``path`` stays whole), like a Starlette ``Mount``."""

    def __init__(self, app: ASGIApp, sandbox: ASGIApp, prefix: str = SANDBOX_PREFIX) -> None:
        self.app = app
        self.sandbox = sandbox
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            root = scope.get("root_path", "")
            path: str = scope["path"]
            inner = path[len(root) :] if root and path.startswith(root) else path
            if inner == self.prefix or inner.startswith(self.prefix + "/"):
                await self.sandbox({**scope, "root_path": root + self.prefix}, receive, send)
                return
        await self.app(scope, receive, send)


def _mount_spa(app: FastAPI, spa_dir: Path) -> None:
    """Serve the built SPA: real files as they are, every other non-API path as index.html."""
    index = spa_dir / "index.html"
    if (spa_dir / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=spa_dir / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str, request: Request) -> Response:
        if path.startswith("api/") or path == "api":
            raise NotFound("No such API endpoint.")
        candidate = (spa_dir / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(spa_dir.resolve()):
            return FileResponse(candidate)
        if not index.is_file():
            return Response(
                "The web app is not built. Run `make install` (or `npm run build` in frontend/).",
                status_code=503,
                media_type="text/plain",
            )
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
