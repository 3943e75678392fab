"""Shared set-up for the connector tests that run against the sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fixtures.sandbox import SandboxServer

from app.connectors.settings import ConnectorSettings


@pytest.fixture
def connector_settings(sandbox_server: SandboxServer) -> ConnectorSettings:
    """Base URLs pointing at the sandbox; fast polling and a 0.5 s read timeout, so ``hang``
    faults become client timeouts quickly."""
    return ConnectorSettings(
        mastodon_url="https://mastodon.invalid",  # accounts carry their instance URL
        facebook_graph_url=sandbox_server.graph_url,
        instagram_graph_url=sandbox_server.graph_url,
        linkedin_api_url=sandbox_server.linkedin_url,
        linkedin_oauth_url=sandbox_server.linkedin_url + "/oauth/v2",
        linkedin_web_url=sandbox_server.linkedin_url,
        linkedin_client_id="sandbox-linkedin-client",
        linkedin_client_secret="sandbox-linkedin-secret",
        media_poll_interval_seconds=0.01,
        media_poll_max_seconds=5.0,
        connect_timeout_seconds=2.0,
        request_timeout_seconds=0.5,
        upload_timeout_seconds=2.0,
    )


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client
