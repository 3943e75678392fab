"""Where re-encoded media live: ``<data_dir>/media/<organization_id>/<sha256>.<ext>``.

The data directory is never served (the SPA is served from ``spa_dir``, the API only through
its routes), so a stored file can only be read through the media routes.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

from app.config import Settings


class MediaMissing(LookupError):
    """The file of a media asset is not in the store."""


def media_root(settings: Settings) -> Path:
    return (settings.data_dir / "media").resolve()


def storage_key(organization_id: uuid.UUID, sha256: str, extension: str) -> str:
    return f"{organization_id}/{sha256}.{extension}"


def path_for(settings: Settings, key: str) -> Path:
    root = media_root(settings)
    path = (root / key).resolve()
    if not path.is_relative_to(root):
        raise MediaMissing(key)
    return path


def write(settings: Settings, key: str, content: bytes) -> None:
    """Store ``content`` under ``key`` atomically. Keys are content addresses: an existing
    file already holds the same bytes."""
    path = path_for(settings, key)
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(settings: Settings, key: str) -> bytes:
    try:
        return path_for(settings, key).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise MediaMissing(key) from None
