"""Derived renditions of stored media for platforms that refuse the stored format.

Instagram takes images only as JPEG (platforms.md §3): a PNG or WebP goes out as a JPEG
rendition, derived once from the stored (already re-encoded, metadata-free) file and stored
beside it under a derived key; the signed public URL names the rendition (``rendition=jpeg``)."""

from __future__ import annotations

from app.config import Settings
from app.media import storage
from app.media.images import to_jpeg

TO_JPEG = frozenset({"image/png", "image/webp"})


def jpeg_key(storage_key: str) -> str:
    return storage_key.rsplit(".", 1)[0] + ".rendition.jpg"


def ensure_jpeg(settings: Settings, storage_key: str) -> int:
    """Write the JPEG rendition of ``storage_key`` unless it exists; returns its size in bytes.
    Blocking (Pillow, file I/O): call it in a thread. Raises ``MediaMissing``."""
    key = jpeg_key(storage_key)
    path = storage.path_for(settings, key)
    if path.is_file():
        return path.stat().st_size
    content = to_jpeg(storage.read(settings, storage_key))
    storage.write(settings, key, content)
    return len(content)
