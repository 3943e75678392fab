"""Bluesky (AT Protocol) connector: see :mod:`app.connectors.bluesky.connector`."""
