from __future__ import annotations

import pytest
from webhooks.support import config

from app.webhooks.settings import meta_webhook_config


@pytest.fixture
def app(app):  # type: ignore[no-untyped-def]
    """The app with a known Meta app secret and verify token."""
    app.dependency_overrides[meta_webhook_config] = config
    return app
