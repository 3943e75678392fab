"""What the Meta webhook endpoint checks against: the app secret (signatures) and the verify
token of the subscription handshake (``KLINIKFUNK_META_WEBHOOK_VERIFY_TOKEN``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.channels.settings import channel_settings


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLINIKFUNK_", extra="ignore")

    meta_webhook_verify_token: SecretStr | None = None


@dataclass(frozen=True)
class MetaWebhookConfig:
    app_secret: SecretStr | None
    verify_token: SecretStr | None


@lru_cache
def meta_webhook_config() -> MetaWebhookConfig:
    """The Meta app secret of the connect flows (the sandbox's in sandbox mode) and the token,
    read from the environment once per process (the endpoint is hot)."""
    return MetaWebhookConfig(
        app_secret=channel_settings().meta_app_secret,
        verify_token=WebhookSettings().meta_webhook_verify_token,
    )
