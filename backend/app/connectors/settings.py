"""Base URLs and timeouts of the platform APIs (env prefix ``KLINIKFUNK_``).

Tests and the offline demo point these at the sandbox. Mastodon and Bluesky accounts carry their
own server URL (:attr:`~app.connectors.base.Account.instance_url`); the values here are fallbacks.
"""

from __future__ import annotations

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConnectorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLINIKFUNK_", extra="ignore")

    facebook_graph_url: str = "https://graph.facebook.com/v24.0"
    instagram_graph_url: str = "https://graph.facebook.com/v24.0"
    linkedin_api_url: str = "https://api.linkedin.com"
    linkedin_version: str = "202510"
    mastodon_url: str = "https://mastodon.social"
    bluesky_pds_url: str = "https://bsky.social"
    x_api_url: str = "https://api.x.com"

    media_poll_interval_seconds: float = 2.0
    media_poll_max_seconds: float = 300.0

    connect_timeout_seconds: float = 5.0
    request_timeout_seconds: float = 30.0
    """Read/write/pool timeout of ordinary API calls (platforms.md §10: connect 5 s, read 30 s)."""
    upload_timeout_seconds: float = 120.0

    def request_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.request_timeout_seconds, connect=self.connect_timeout_seconds)

    def upload_timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.upload_timeout_seconds, connect=self.connect_timeout_seconds)
