"""Short-lived signed URLs for platforms that pull media by URL (Meta, platforms.md §3.1).

``/api/v1/media/public/{media_id}?exp=<unix seconds>&sig=<base64url HMAC-SHA256>`` over
``"{media_id}.{exp}"`` with a key derived from the app's secret (never the secret itself).
Whoever holds the URL can fetch that one re-encoded image until ``exp``; nothing else. A URL
for a derived rendition (``&rendition=jpeg``, see ``renditions``) signs
``"{media_id}.{exp}.{rendition}"`` instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime

PUBLIC_PATH = "/api/v1/media/public/"
LIFETIME_SECONDS = 3600
_CONTEXT = b"klinikfunk/media-public-url/v1"


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _CONTEXT, hashlib.sha256).digest()


def signature(secret: str, media_id: uuid.UUID, exp: int, rendition: str | None = None) -> str:
    message = f"{media_id}.{exp}" + (f".{rendition}" if rendition else "")
    mac = hmac.new(_key(secret), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def signed_url(
    base_url: str,
    secret: str,
    media_id: uuid.UUID,
    now: datetime,
    lifetime_seconds: int = LIFETIME_SECONDS,
    *,
    rendition: str | None = None,
) -> str:
    exp = int(now.timestamp()) + lifetime_seconds
    sig = signature(secret, media_id, exp, rendition)
    extra = f"&rendition={rendition}" if rendition else ""
    return f"{base_url.rstrip('/')}{PUBLIC_PATH}{media_id}?exp={exp}&sig={sig}{extra}"


def verify(
    secret: str,
    media_id: uuid.UUID,
    exp: int,
    sig: str,
    now: datetime,
    rendition: str | None = None,
) -> bool:
    """True when ``sig`` is ours for this media and ``exp``, and ``exp`` has not passed (nor lies
    further ahead than one lifetime)."""
    current = int(now.timestamp())
    if exp < current or exp > current + LIFETIME_SECONDS + 60:
        return False
    expected = signature(secret, media_id, exp, rendition)
    return hmac.compare_digest(expected.encode(), sig.encode("utf-8", "replace"))
