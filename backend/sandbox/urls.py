"""Paths and URLs that also work when the sandbox is mounted under a prefix (``/sandbox`` in
the embedded demo): the ASGI ``root_path`` carries the prefix, ``path`` stays the full path."""

from __future__ import annotations

from fastapi import Request
from starlette.types import Scope


def route_path(scope: Scope) -> str:
    """The path inside the sandbox (``/mastodon/api/v1/statuses``), without a mount prefix."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :] or "/"
    return path


def public_base(request: Request) -> str:
    """Where the caller reached the sandbox: scheme, host and mount prefix, no trailing slash."""
    url = request.url
    return f"{url.scheme}://{url.netloc}{request.scope.get('root_path', '')}".rstrip("/")
