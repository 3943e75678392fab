"""OAuth client credentials for the connect flows (env prefix ``KLINIKFUNK_``).

The embedded default points at the sandbox's Graph app; production sets its own Meta app and one
registered Mastodon app per instance (``KLINIKFUNK_MASTODON_APPS`` as JSON
``{"https://instance": {"client_id": "…", "client_secret": "…"}}``).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class OAuthApp(BaseModel):
    client_id: str
    client_secret: SecretStr


class ChannelSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLINIKFUNK_", extra="ignore")

    meta_app_id: str | None = None
    meta_app_secret: SecretStr | None = None
    mastodon_apps: dict[str, OAuthApp] = Field(default_factory=dict)
    connect_flow_minutes: int = 15
    """How long a started connect flow (its ``state``) stays valid."""
    token_refresh_days: int = 7
    """Tokens expiring within this many days are refreshed by ``channels.check_tokens``."""
    health_check_hours: int = 24
    """Channels whose token was not checked for this long are verified by the health task."""

    def mastodon_app(self, instance_url: str) -> OAuthApp | None:
        return self.mastodon_apps.get(instance_url.rstrip("/"))

    def meta_configured(self) -> bool:
        return self.meta_app_id is not None and self.meta_app_secret is not None


def channel_settings() -> ChannelSettings:
    return ChannelSettings()
