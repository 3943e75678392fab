"""Registry of connectors keyed by :class:`~app.connectors.base.Platform`.

Every platform package exposes ``create_connector(settings, http) -> Connector`` in its
``connector`` module; it is imported on first use so a missing or broken package only affects its
own platform.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

import httpx

from app.connectors.base import Connector, Platform
from app.connectors.settings import ConnectorSettings

ConnectorFactory = Callable[[ConnectorSettings, httpx.AsyncClient], Connector]

_MODULES: dict[Platform, str] = {
    Platform.MASTODON: "app.connectors.mastodon.connector",
    Platform.FACEBOOK: "app.connectors.facebook.connector",
    Platform.INSTAGRAM: "app.connectors.instagram.connector",
    Platform.BLUESKY: "app.connectors.bluesky.connector",
    Platform.LINKEDIN: "app.connectors.linkedin.connector",
}


class UnsupportedPlatform(LookupError):
    """No connector is available for the platform."""


def supported_platforms() -> frozenset[Platform]:
    """Platforms with a connector package (X has none yet)."""
    return frozenset(_MODULES)


def get_factory(platform: Platform) -> ConnectorFactory:
    """The platform's factory; raises :class:`UnsupportedPlatform` when there is none."""
    module_name = _MODULES.get(platform)
    if module_name is None:
        raise UnsupportedPlatform(platform.value)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            raise UnsupportedPlatform(platform.value) from exc
        raise
    return cast(ConnectorFactory, module.create_connector)


def get_connector(
    platform: Platform, settings: ConnectorSettings, http: httpx.AsyncClient
) -> Connector:
    """A connector for ``platform`` using the shared ``http`` client."""
    return get_factory(platform)(settings, http)
