"""The part of an OAuth authorization endpoint every personality shares."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.responses import RedirectResponse


def redirect_with_code(redirect_uri: str, code: str, oauth_state: str | None) -> RedirectResponse:
    """Back to the client with the authorization code (and its ``state``, when it sent one)."""
    query = {"code": code}
    if oauth_state is not None:
        query["state"] = oauth_state
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + separator + urlencode(query), status_code=302)
