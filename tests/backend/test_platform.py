"""Cross-cutting guarantees: contract, public routes, headers, errors, limits, secrets in logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
import yaml
from fixtures.helpers import assert_problem
from fixtures.world import ROLE_EMAILS, World, login

from app.auth.permissions import Role
from app.cli import openapi_document
from app.config import Settings
from app.kit.db import Database
from app.main import create_app

REPO = Path(__file__).resolve().parents[2]
PUBLIC_ROUTES = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password-reset"),
    ("GET", "/api/v1/channels/callback/{platform}"),  # the platforms redirect browsers here
    ("GET", "/api/v1/media/public/{media_id}"),  # HMAC-signed, 1 h URLs Meta fetches images by
    ("GET", "/api/v1/webhooks/meta"),  # Meta's subscription handshake (verify token)
    ("POST", "/api/v1/webhooks/meta"),  # signed deliveries (X-Hub-Signature-256)
}


def test_openapi_yaml_matches_the_app() -> None:
    committed = (REPO / "openapi.yaml").read_text()
    assert committed == openapi_document(), "openapi.yaml is stale: run `make openapi`"


def test_openapi_documents_auth_and_problem_errors() -> None:
    spec = yaml.safe_load(openapi_document())
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert "Problem" in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if (method.upper(), path) in PUBLIC_ROUTES:
                continue
            assert "401" in operation["responses"], f"{method} {path} does not document 401"


def test_public_routes_are_pinned() -> None:
    """An operation without the bearer dependency is public; adding one must be deliberate."""
    spec = yaml.safe_load(openapi_document())
    public = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    }
    assert public == PUBLIC_ROUTES


def test_no_response_schema_exposes_secrets() -> None:
    """SEC-6: no response field named like a token, secret, hash or password, except where the
    API hands out a credential on purpose (login pair, one-time password link)."""
    spec = yaml.safe_load(openapi_document())
    allowed = {
        ("TokenPair", "access_token"),
        ("TokenPair", "refresh_token"),
        ("TokenPair", "token_type"),
        ("PasswordLink", "token"),
        ("UserCreated", "password_setup"),
    }
    pattern = re.compile(r"token|secret|hash|password", re.IGNORECASE)
    response_schemas: set[str] = set()
    for operations in spec["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                for content in response.get("content", {}).values():
                    ref = content.get("schema", {}).get("$ref", "")
                    if ref:
                        response_schemas.add(ref.rsplit("/", 1)[1])
    schemas = spec["components"]["schemas"]
    seen: set[str] = set()
    while response_schemas:
        name = response_schemas.pop()
        if name in seen:
            continue
        seen.add(name)
        for prop, definition in schemas[name].get("properties", {}).items():
            if pattern.search(prop):
                assert (name, prop) in allowed, f"{name}.{prop} looks like a secret"
            for ref in re.findall(r"#/components/schemas/(\w+)", str(definition)):
                response_schemas.add(ref)
    assert "UserRead" in seen
    assert "TokenPair" in seen


class TestHttp:
    async def test_health_is_public(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/health")
        assert response.json() == {"status": "ok", "database": "ok"}

    async def test_security_headers_on_api(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/health")
        assert response.headers["cache-control"] == "no-store"
        assert "max-age=31536000" in response.headers["strict-transport-security"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"

    async def test_spa_is_served_with_fallback_and_only_own_origins(
        self, settings: Settings, database: Database, tmp_path: Path
    ) -> None:
        (tmp_path / "spa" / "assets").mkdir(parents=True)
        (tmp_path / "spa" / "index.html").write_text("<html><body>Klinikfunk</body></html>")
        (tmp_path / "spa" / "assets" / "app.js").write_text("console.log(1)")
        settings.spa_dir = tmp_path / "spa"
        app = create_app(settings, database=database)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            for path in ("/", "/einstellungen/benutzer", "/passwort-zuruecksetzen?token=x"):
                page = await c.get(path)
                assert page.status_code == 200
                assert "Klinikfunk" in page.text
                csp = page.headers["content-security-policy"]
                assert "default-src 'self'" in csp
                assert "http" not in csp
            assert (await c.get("/assets/app.js")).text == "console.log(1)"
            assert_problem(await c.get("/api/v1/gibt-es-nicht"), 404)

    async def test_cors_only_for_configured_origins(
        self, settings: Settings, database: Database
    ) -> None:
        settings.cors_origins = ["https://intranet.klinik.example"]
        app = create_app(settings, database=database)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            preflight = {
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            }
            allowed = await c.options(
                "/api/v1/auth/login",
                headers={**preflight, "Origin": "https://intranet.klinik.example"},
            )
            other = await c.options(
                "/api/v1/auth/login", headers={**preflight, "Origin": "https://evil.example"}
            )
        assert allowed.headers["access-control-allow-origin"] == "https://intranet.klinik.example"
        assert "access-control-allow-origin" not in other.headers

    async def test_unknown_api_route_is_problem_404(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/nichts"), 404)

    async def test_oversized_body_is_413(self, client: httpx.AsyncClient, world: World) -> None:
        big = "x" * (1024 * 1024 + 10)
        response = await client.post(
            "/api/v1/auth/login", json={"email": "a@b.example", "password": big}
        )
        assert_problem(response, 413)

    async def test_wrong_method_and_content_type(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        headers = await login(client, ROLE_EMAILS[Role.admin], world.password)
        assert_problem(await client.put("/api/v1/users", headers=headers), 405)
        response = await client.post(
            "/api/v1/users", content=b"email=x", headers={**headers, "content-type": "text/plain"}
        )
        assert_problem(response, 422)

    async def test_unexpected_error_is_generic_500(
        self, settings: Settings, database: Database
    ) -> None:
        app = create_app(settings, database=database)

        @app.get("/api/v1/kaputt")
        async def broken() -> None:
            raise RuntimeError("SELECT secret FROM internals")

        app.router.routes.insert(0, app.router.routes.pop())  # before the SPA catch-all

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            response = await c.get("/api/v1/kaputt")
        body = assert_problem(response, 500)
        assert "SELECT" not in response.text
        assert "Traceback" not in body["detail"]


async def test_secrets_never_reach_the_logs(
    client: httpx.AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    from app.kit.logging import install_redaction

    caplog.set_level(logging.DEBUG)
    install_redaction()
    logging.getLogger().addHandler(caplog.handler)
    caplog.handler.addFilter(
        __import__("app.kit.logging", fromlist=["RedactingFilter"]).RedactingFilter()
    )
    response = await client.post(
        "/api/v1/auth/login", json={"email": ROLE_EMAILS[Role.admin], "password": world.password}
    )
    tokens = response.json()
    logging.getLogger("uvicorn.access").info(
        "GET /passwort-zuruecksetzen?token=%s Authorization: Bearer %s",
        tokens["refresh_token"],
        tokens["access_token"],
    )
    text = caplog.text
    for secret in (world.password, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in text
    assert "[redacted]" in text
