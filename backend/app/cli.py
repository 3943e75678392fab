"""One command line for every process: ``klinikfunk serve | worker | migrate | create-admin |
seed-demo | openapi | eval-compliance``."""

from __future__ import annotations

import asyncio
import getpass
import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
import yaml

from app.config import Settings, get_settings
from app.kit.logging import configure_logging

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def run_migrations(settings: Settings, revision: str = "head") -> None:
    from app.kit.migrations import upgrade

    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(upgrade(settings.resolved_database_url, revision))


async def _seed(settings: Settings, *, only_if_empty: bool) -> tuple[list[str], str] | None:
    from app.demo.seed import demo_password, has_data, seed_demo
    from app.kit.db import Database

    database = Database(settings.resolved_database_url)
    try:
        async with database.session_scope() as session:
            if only_if_empty and await has_data(session):
                return None
            password = demo_password(settings)
            return await seed_demo(session, settings, password), password
    finally:
        await database.dispose()


def _print_demo(settings: Settings) -> None:
    from app.demo.seed import DEMO_USERS, DOMAIN, demo_password

    typer.echo("")
    typer.echo(f"  Klinikfunk läuft / is running: {settings.base_url}")
    typer.echo("  Demo-Zugänge / demo logins:")
    for user in DEMO_USERS:
        typer.echo(f"    {user.local + '@' + DOMAIN:<36} ({user.role.value})")
    typer.echo(f"  Passwort / password: {demo_password(settings)}")
    if settings.sandbox_enabled:
        typer.echo(f"  Sandbox-Plattform / sandbox platform: {settings.sandbox_url}")
    typer.echo("")


@cli.command()
def migrate(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Upgrade the database schema (to `head` unless a revision is given)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    run_migrations(settings, revision)
    typer.echo(f"database at revision {revision}")


@cli.command()
def serve(
    workers: Annotated[int, typer.Option(help="API processes (PostgreSQL only for > 1).")] = 1,
    migrate_first: Annotated[
        bool | None, typer.Option("--migrate/--no-migrate", help="Default: on for SQLite.")
    ] = None,
) -> None:
    """Start the API (and the built web app). Seeds demo data on first start with KLINIKFUNK_DEMO."""
    settings = get_settings()
    configure_logging(settings.log_level)
    if workers > 1 and settings.is_sqlite:
        raise typer.BadParameter("several API processes need PostgreSQL (KLINIKFUNK_DATABASE_URL)")
    if migrate_first if migrate_first is not None else settings.is_sqlite:
        run_migrations(settings)
    if settings.demo:
        seeded = asyncio.run(_seed(settings, only_if_empty=True))
        if seeded:
            typer.echo(f"Demo data created ({len(seeded[0])} users).")
        _print_demo(settings)
    else:
        typer.echo(f"Klinikfunk: {settings.base_url}")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        proxy_headers=True,
        log_config=None,
        server_header=False,
    )


@cli.command()
def worker() -> None:
    """Run a background worker (any number of them against PostgreSQL)."""
    import signal

    import app.models
    import app.tasks  # noqa: F401
    from app.kit.db import Database
    from app.worker.runner import Worker

    settings = get_settings()
    configure_logging(settings.log_level)

    async def main() -> None:
        database = Database(settings.resolved_database_url)
        runner = Worker(database, settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, runner.stop)
        try:
            await runner.run()
        finally:
            await database.dispose()

    asyncio.run(main())


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True)],
    full_name: Annotated[str, typer.Option("--name", prompt="Full name")],
    organization: Annotated[
        str, typer.Option(help="Organization name; created if it does not exist.")
    ] = "Klinikverbund",
    password: Annotated[
        str | None, typer.Option(help="Prompted for when omitted; env KLINIKFUNK_ADMIN_PASSWORD.")
    ] = None,
) -> None:
    """Create an organization administrator (and the organization, if new)."""
    from app.users.bootstrap import create_admin as create

    settings = get_settings()
    configure_logging(settings.log_level)
    password = (
        password or os.environ.get("KLINIKFUNK_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    )
    try:
        asyncio.run(
            create(
                settings,
                email=email,
                full_name=full_name,
                organization=organization,
                password=password,
            )
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"admin {email} created")


@cli.command("seed-demo")
def seed_demo() -> None:
    """Create the demo hospital group and one user per role (only into an empty database)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    if asyncio.run(_seed(settings, only_if_empty=True)) is None:
        typer.echo("the database holds data already; demo data not added", err=True)
        raise typer.Exit(1)
    _print_demo(settings)


@cli.command("rotate-kek")
def rotate_kek() -> None:
    """Re-wrap every organization's data key with the active KEK (KLINIKFUNK_ACTIVE_KEK)."""
    from app.kit.db import Database
    from app.vault.service import SecretBox, keyring_from

    settings = get_settings()
    configure_logging(settings.log_level)

    async def main() -> int:
        database = Database(settings.resolved_database_url)
        try:
            async with database.session_scope() as session:
                return await SecretBox(keyring_from(settings)).rewrap_all(session)
        finally:
            await database.dispose()

    typer.echo(f"re-wrapped {asyncio.run(main())} data key(s)")


@cli.command("eval-compliance")
def eval_compliance(
    path: Annotated[
        Path | None,
        typer.Argument(help="JSONL corpus; default ../shared/corpus/pii-dev.jsonl (repo root)."),
    ] = None,
    details: Annotated[bool, typer.Option(help="List misses and false blocks.")] = False,
) -> None:
    """Measure the compliance engine on a labelled corpus; exit 1 when a target is missed."""
    from app.compliance.evaluation import default_corpus, evaluate, load

    corpus = path or default_corpus(Path(__file__).resolve().parents[2])
    report = evaluate(load(corpus), str(corpus))
    for line in report.lines(details=details):
        typer.echo(line)
    failures = report.failures()
    for failure in failures:
        typer.echo(f"target missed: {failure}", err=True)
    if failures:
        raise typer.Exit(1)


def openapi_document() -> str:
    import tempfile

    from app.main import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), secret_key="openapi-" + "x" * 32, embedded_worker=False
        )
        spec = create_app(settings).openapi()
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)


@cli.command()
def openapi(output: Annotated[Path, typer.Option("--output", "-o")] = Path("openapi.yaml")) -> None:
    """Write the OpenAPI document (deterministic) to a file."""
    output.write_text(openapi_document())
    typer.echo(f"wrote {output}")


def main() -> None:
    cli()
