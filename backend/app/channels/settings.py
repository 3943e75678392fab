"""OAuth client credentials for the connect flows (env prefix ``KLINIKFUNK_``).

With the built-in sandbox on (``KLINIKFUNK_SANDBOX``, default with ``KLINIKFUNK_DEMO``) the
defaults are the sandbox's Graph app and its demo Mastodon app; production sets its own Meta app
and one registered Mastodon app per instance (``KLINIKFUNK_MASTODON_APPS`` as JSON
``{"https://instance": {"client_id": "…", "client_secret": "…"}}``).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.config import SandboxMode


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

    @model_validator(mode="after")
    def _sandbox_defaults(self) -> ChannelSettings:
        mode = SandboxMode()
        if not mode.enabled:
            return self
        from sandbox import demo
        from sandbox.state import SandboxConfig

        sandbox = SandboxConfig()
        if "meta_app_id" not in self.model_fields_set:
            self.meta_app_id = sandbox.graph_app_id
        if "meta_app_secret" not in self.model_fields_set:
            self.meta_app_secret = SecretStr(sandbox.graph_app_secret)
        instance = f"{mode.url}/mastodon"
        if instance not in self.mastodon_apps:
            self.mastodon_apps = {
                **self.mastodon_apps,
                instance: OAuthApp(
                    client_id=demo.MASTODON_CLIENT_ID,
                    client_secret=SecretStr(demo.MASTODON_CLIENT_SECRET),
                ),
            }
        return self

    def mastodon_app(self, instance_url: str) -> OAuthApp | None:
        return self.mastodon_apps.get(instance_url.rstrip("/"))

    def meta_configured(self) -> bool:
        return self.meta_app_id is not None and self.meta_app_secret is not None


def channel_settings() -> ChannelSettings:
    return ChannelSettings()
