"""The production-like stack in docker-compose.yml (no Docker here: the file is read, not run)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("api", "worker")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    services = compose["services"]
    assert isinstance(services, dict)
    return services


def _command(service: dict[str, Any]) -> str:
    command = service.get("command")
    assert command, "the service must say what it runs"
    return command if isinstance(command, str) else " ".join(command)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    depends = service.get("depends_on") or {}
    assert isinstance(depends, dict), "depends_on needs the long form with conditions"
    return {name: spec.get("condition", "") for name, spec in depends.items()}


def _dockerfile(service: dict[str, Any]) -> Path:
    build = service.get("build")
    assert isinstance(build, dict), "build needs context and dockerfile"
    context = (ROOT / str(build.get("context", "."))).resolve()
    dockerfile: Path = context / str(build.get("dockerfile", "Dockerfile"))
    assert dockerfile.is_file(), f"{dockerfile} does not exist"
    return dockerfile


def _copy_sources(dockerfile: Path) -> list[Path]:
    """Every local source of a COPY (not --from=stage), relative to the build context: the root."""
    sources = []
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line.strip()) if line.strip().upper().startswith("COPY ") else []
        if not words or any(word.startswith("--from") for word in words):
            continue
        args = [word for word in words[1:] if not word.startswith("--")]
        sources += [ROOT / src for src in args[:-1]]
    return sources


def test_the_four_services_exist(services: dict[str, Any]) -> None:
    assert {"db", "api", "worker", "web"} <= set(services)


def test_db_is_postgres_with_a_healthcheck_and_a_volume(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    db = services["db"]
    assert re.fullmatch(r"postgres:1[6-9](\.\d+)?(-[\w.]+)?", db["image"]), db["image"]
    test = db["healthcheck"]["test"]
    assert "pg_isready" in (test if isinstance(test, str) else " ".join(test))
    volumes = db.get("volumes") or []
    assert any(str(volume).endswith(":/var/lib/postgresql/data") for volume in volumes)
    named = str(volumes[0]).split(":", 1)[0]
    assert named in (compose.get("volumes") or {}), "the database lives in a named volume"
    assert "ports" not in db, "the database is not published on the host"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_api_and_worker_build_the_backend_image(services: dict[str, Any], name: str) -> None:
    dockerfile = _dockerfile(services[name])
    assert dockerfile == ROOT / "deploy" / "api.Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    assert "uv sync --frozen --no-dev" in text
    for source in _copy_sources(dockerfile):
        assert source.exists(), f"{dockerfile.name} copies {source}, which does not exist"
        assert ".venv" not in source.parts
        assert "node_modules" not in source.parts


def test_api_migrates_then_serves_and_the_worker_works(services: dict[str, Any]) -> None:
    api = _command(services["api"])
    assert re.search(r"klinikfunk migrate\b.*&&.*klinikfunk serve\b", api), api
    assert _command(services["worker"]).split()[-2:] == ["klinikfunk", "worker"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_is_production_on_postgres(services: dict[str, Any], name: str) -> None:
    env = _environment(services[name])
    assert env["KLINIKFUNK_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@db:5432/" in env["KLINIKFUNK_DATABASE_URL"]
    assert env["KLINIKFUNK_ENV"] == "production"
    assert env["KLINIKFUNK_EMBEDDED_WORKER"].lower() == "false"
    assert env["KLINIKFUNK_HOST"] == "0.0.0.0"
    # The key comes from the operator's environment and is required, never a literal.
    assert re.fullmatch(r"\$\{KLINIKFUNK_SECRET_KEY:\?[^}]*\}", env["KLINIKFUNK_SECRET_KEY"])
    assert env["KLINIKFUNK_KEKS"].startswith("${KLINIKFUNK_KEKS:?")
    # No password written into the file either.
    assert re.search(
        r"://klinikfunk:\$\{POSTGRES_PASSWORD:\?[^}]*\}@", env["KLINIKFUNK_DATABASE_URL"]
    )


def test_db_password_comes_from_the_environment(services: dict[str, Any]) -> None:
    password = _environment(services["db"])["POSTGRES_PASSWORD"]
    assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]*\}", password)


def test_start_order_follows_health(services: dict[str, Any]) -> None:
    assert _depends_on(services["api"])["db"] == "service_healthy"
    # The worker starts once the API is healthy, i.e. once its migrations ran.
    assert _depends_on(services["worker"])["api"] == "service_healthy"
    assert _depends_on(services["web"])["api"] == "service_healthy"
    test = services["api"]["healthcheck"]["test"]
    assert "/api/v1/health" in (test if isinstance(test, str) else " ".join(test))


def test_web_serves_the_spa_and_proxies_the_api(services: dict[str, Any]) -> None:
    web = services["web"]
    assert "8080:80" in [str(port) for port in web["ports"]]
    dockerfile = _dockerfile(web)
    text = dockerfile.read_text(encoding="utf-8")
    assert re.search(r"^FROM node:20\S* AS build", text, re.MULTILINE | re.IGNORECASE)
    assert re.search(r"^FROM nginx:stable-alpine", text, re.MULTILINE)
    assert "npm run build" in text
    for source in _copy_sources(dockerfile):
        assert source.exists(), f"{dockerfile.name} copies {source}, which does not exist"
        assert "node_modules" not in source.parts
        assert "dist" not in source.parts

    confs = re.findall(r"^COPY\s+(\S+\.conf)\s+/etc/nginx/conf\.d/", text, re.MULTILINE)
    assert confs, "the web image installs an nginx server config"
    conf = (ROOT / confs[0]).read_text(encoding="utf-8")
    api_block = re.search(r"location\s+/api/\s*\{(?P<body>[^}]*)\}", conf)
    assert api_block, "nginx proxies /api/"
    body = api_block["body"]
    assert re.search(r"proxy_pass\s+http://api:8000;", body)
    assert re.search(r"proxy_set_header\s+Host\s+\$http_host;", body), (
        "the API checks Origin against Host"
    )
    # Set, not appended to ($proxy_add_x_forwarded_for): the API trusts the header, and a
    # client-sent one would otherwise let it pose as another address.
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", body)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", body)
    assert re.search(r"try_files\s+\$uri\s+/index\.html;", conf), "SPA fallback to index.html"


def test_proxy_headers_are_trusted_by_the_api(services: dict[str, Any]) -> None:
    # uvicorn only reads X-Forwarded-For/-Proto from trusted peers; nginx is another container.
    assert _environment(services["api"]).get("FORWARDED_ALLOW_IPS")


def test_security_headers_on_the_spa() -> None:
    headers = (ROOT / "deploy" / "security-headers.conf").read_text(encoding="utf-8")
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "X-Frame-Options",
    ):
        assert re.search(rf"add_header\s+{name}\s+\".+\"\s+always;", headers), name
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert conf.count("include /etc/nginx/snippets/security-headers.conf;") >= 2
    assert "COPY deploy/security-headers.conf /etc/nginx/snippets/security-headers.conf" in (
        ROOT / "deploy" / "web.Dockerfile"
    ).read_text(encoding="utf-8")
