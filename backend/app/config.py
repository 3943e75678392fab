"""Settings from the environment (prefix ``KLINIKFUNK_``); defaults give the embedded mode."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_PREFIX = "/sandbox"
"""Where the embedded demo mounts the sandbox platform in the app (``KLINIKFUNK_SANDBOX``)."""


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLINIKFUNK_", extra="ignore")

    env: Environment = Environment.development
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("./data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; SQLite in the data dir when unset."
    )
    demo: bool = False
    demo_password: SecretStr | None = None
    sandbox: bool | None = Field(
        default=None,
        description="Serve the sandbox platform under /sandbox and point the connectors and "
        "OAuth apps at it; default: on with `demo`. Refused in production.",
    )
    secret_key: SecretStr | None = None
    public_url: str | None = Field(
        default=None, description="Base URL users open; used in password links."
    )
    spa_dir: Path = REPO_ROOT / "frontend" / "dist"
    embedded_worker: bool = Field(
        default=True, description="Run the worker inside `klinikfunk serve` (SQLite default)."
    )
    worker_concurrency: int = 4
    worker_poll_seconds: float = 1.0
    job_lease_seconds: int = 300
    publish_window_minutes: int = 120  # after a post's time; later it is `missed`, never late
    publish_batch_size: int = 50  # publications one worker claims per loop iteration
    publish_lease_seconds: int = 300  # must outlast one platform call (upload timeout 120 s)
    publish_max_attempts: int = 8  # transient failures before a publication counts as failed
    publish_concurrency: int = 16  # platform calls one worker has in flight at once (httpcore's
    # pool scans every connection per request: 50 cost ~2 ms CPU per call in bench/publish_due.py)
    # Calls in flight across all workers (creates and their uploads), so we throttle before the
    # platform does (platforms.md §1.2); a publication over a cap waits, it is not an attempt.
    publish_max_in_flight_per_account: int = 4
    publish_max_in_flight_per_platform: int = 50
    publish_throttle_percent: float = 90.0  # Meta usage headers at or above: stop calling
    publish_throttle_cooldown_seconds: int = 300  # when the platform gives no regain estimate
    publish_credentials_ttl_seconds: int = 60  # decrypted tokens cached per worker process

    access_token_minutes: int = 15
    jwt_issuer: str = "klinikfunk"
    jwt_audience: str = "klinikfunk-api"
    cookie_secure: bool = True
    cors_origins: list[str] = []

    # Sessions (SEC-32): idle and absolute lifetimes, longer for moderators on phones.
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    moderator_session_idle_hours: int = 24
    moderator_session_absolute_days: int = 30
    password_reset_hours: int = 24

    # Login throttling (SEC-15).
    login_slowdown_after: int = 3
    login_slowdown_max_seconds: float = 2.0
    login_lock_after: int = 10
    login_ip_lock_after: int = 50
    login_window_minutes: int = 15
    login_lock_minutes: int = 15

    # argon2id parameters; the defaults are argon2-cffi's RFC 9106 low-memory profile.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    argon2_parallelism: int = 4

    keks: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Key-encryption keys as JSON {id: base64url 32 bytes}; generated once into "
        "the data dir when unset (not allowed in production).",
    )
    active_kek: str | None = Field(default=None, description="Id of the KEK that wraps new keys.")

    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env is Environment.production:
            if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("KLINIKFUNK_SECRET_KEY (>= 32 chars) is required in production")
            if self.is_sqlite:
                raise ValueError("production needs PostgreSQL (KLINIKFUNK_DATABASE_URL)")
            if not self.keks:
                raise ValueError("KLINIKFUNK_KEKS is required in production")
            if self.argon2_memory_cost < 19456:
                raise ValueError("argon2 memory cost below the OWASP minimum")
            if self.sandbox_enabled:
                raise ValueError(
                    "the sandbox platform is not allowed in production "
                    "(KLINIKFUNK_SANDBOX=false, KLINIKFUNK_DEMO off)"
                )
        return self

    @property
    def sandbox_enabled(self) -> bool:
        return sandbox_enabled(self.demo, self.sandbox)

    @property
    def sandbox_url(self) -> str:
        """The mounted sandbox as this process reaches it (and the links it hands out)."""
        return sandbox_url(self.host, self.port, self.public_url)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'klinikfunk.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def signing_key(self) -> str:
        """The JWT key: from the environment, else generated once into the data dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def keyring_material(self) -> tuple[dict[str, str], str]:
        """The configured KEKs and the active id, else one generated once into the data dir."""
        if self.keks:
            keys = {k: v.get_secret_value() for k, v in self.keks.items()}
            return keys, self.active_kek or sorted(keys)[-1]
        path = self.data_dir / "kek"
        if not path.exists():
            from app.vault.service import KeyRing

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(KeyRing.generate())
        return {"local-1": path.read_text().strip()}, "local-1"


def sandbox_enabled(demo: bool, sandbox: bool | None) -> bool:
    return demo if sandbox is None else sandbox


def sandbox_url(host: str, port: int, public_url: str | None) -> str:
    """``{public URL}/sandbox``; without a public URL the loopback address of ``serve``."""
    if public_url:
        return public_url.rstrip("/") + SANDBOX_PREFIX
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{SANDBOX_PREFIX}"


class SandboxMode(BaseSettings):
    """The sandbox switch alone, read from the environment: the connector and channel settings
    are built without a :class:`Settings` and take their sandbox defaults from here."""

    model_config = SettingsConfigDict(env_prefix="KLINIKFUNK_", extra="ignore")

    env: Environment = Environment.development
    demo: bool = False
    sandbox: bool | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None

    @property
    def enabled(self) -> bool:
        return self.env is not Environment.production and sandbox_enabled(self.demo, self.sandbox)

    @property
    def url(self) -> str:
        return sandbox_url(self.host, self.port, self.public_url)


@lru_cache
def get_settings() -> Settings:
    return Settings()
