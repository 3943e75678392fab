"""Base URLs and timeouts of the platform APIs (env prefix ``KLINIKFUNK_``).

Tests and the offline demo point these at the sandbox. Mastodon and Bluesky accounts carry their
own server URL (:attr:`~app.connectors.base.Account.instance_url`); the values here are fallbacks.
With the built-in sandbox on (``KLINIKFUNK_SANDBOX``, default with ``KLINIKFUNK_DEMO``) the
Mastodon, Graph and LinkedIn URLs default to it (``{base}/sandbox/mastodon``,
``{base}/sandbox/graph/…``, ``{base}/sandbox/linkedin``) and the LinkedIn client to the
sandbox's app; explicitly set variables still win.
"""

from __future__ import annotations

import httpx
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.config import SandboxMode

GRAPH_VERSION = "v24.0"


class ConnectorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLINIKFUNK_", extra="ignore")

    facebook_graph_url: str = f"https://graph.facebook.com/{GRAPH_VERSION}"
    instagram_graph_url: str = f"https://graph.facebook.com/{GRAPH_VERSION}"
    linkedin_api_url: str = "https://api.linkedin.com"
    linkedin_oauth_url: str = "https://www.linkedin.com/oauth/v2"
    linkedin_web_url: str = "https://www.linkedin.com"
    """Permalinks are ``{linkedin_web_url}/feed/update/<post urn>``."""
    linkedin_version: str = "202510"
    """``LinkedIn-Version`` header (YYYYMM); versions are sunset about a year after release."""
    linkedin_client_id: str | None = None
    linkedin_client_secret: SecretStr | None = None
    """The LinkedIn app: the connect flow and the programmatic token refresh use it."""
    mastodon_url: str = "https://mastodon.social"
    bluesky_pds_url: str = "https://bsky.social"
    x_api_url: str = "https://api.x.com"

    media_poll_interval_seconds: float = 2.0
    media_poll_max_seconds: float = 300.0

    connect_timeout_seconds: float = 5.0
    request_timeout_seconds: float = 30.0
    """Read/write/pool timeout of ordinary API calls (platforms.md §10: connect 5 s, read 30 s)."""
    upload_timeout_seconds: float = 120.0

    @model_validator(mode="after")
    def _sandbox_defaults(self) -> ConnectorSettings:
        mode = SandboxMode()
        if mode.enabled:
            for name, value in sandbox_urls(mode.url).items():
                if name not in self.model_fields_set:
                    setattr(self, name, value)
            from sandbox.state import SandboxConfig

            sandbox = SandboxConfig()
            if "linkedin_client_id" not in self.model_fields_set:
                self.linkedin_client_id = sandbox.linkedin_client_id
            if "linkedin_client_secret" not in self.model_fields_set:
                self.linkedin_client_secret = SecretStr(sandbox.linkedin_client_secret)
        return self

    def linkedin_configured(self) -> bool:
        return self.linkedin_client_id is not None and self.linkedin_client_secret is not None

    def request_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.request_timeout_seconds, connect=self.connect_timeout_seconds)

    def upload_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.upload_timeout_seconds, connect=self.connect_timeout_seconds)


def sandbox_urls(sandbox: str) -> dict[str, str]:
    """The platform base URLs of the sandbox at ``sandbox`` (e.g. ``http://127.0.0.1:8000/sandbox``)."""
    graph = f"{sandbox}/graph/{GRAPH_VERSION}"
    return {
        "mastodon_url": f"{sandbox}/mastodon",
        "facebook_graph_url": graph,
        "instagram_graph_url": graph,
        "linkedin_api_url": f"{sandbox}/linkedin",
        "linkedin_oauth_url": f"{sandbox}/linkedin/oauth/v2",
        "linkedin_web_url": f"{sandbox}/linkedin",
    }
