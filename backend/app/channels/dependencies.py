from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.channels.settings import ChannelSettings, channel_settings
from app.connectors.settings import ConnectorSettings
from app.vault.service import SecretBox, keyring_from


def _secret_box(request: Request) -> SecretBox:
    return SecretBox(keyring_from(request.app.state.settings))


def _connector_settings() -> ConnectorSettings:
    return ConnectorSettings()


SecretBoxDep = Annotated[SecretBox, Depends(_secret_box)]
ChannelSettingsDep = Annotated[ChannelSettings, Depends(channel_settings)]
ConnectorSettingsDep = Annotated[ConnectorSettings, Depends(_connector_settings)]
