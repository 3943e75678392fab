"""Per-platform validation of a post, pure and offline, through each connector's ``validate``.

Used by the composer's live counters (preview) and by submit, where any blocking issue stops the
post before anything is queued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from app.connectors.base import (
    Connector,
    MediaItem,
    Platform,
    PublishRequest,
    TextUnit,
    ValidationIssue,
)
from app.connectors.registry import UnsupportedPlatform, get_connector
from app.connectors.settings import ConnectorSettings
from app.connectors.text import compose, grapheme_length, replace_urls


@dataclass(frozen=True)
class TargetReport:
    """The result for one target: issues, and the length in the platform's own unit."""

    platform: Platform
    length: int
    limit: int | None
    unit: TextUnit
    issues: list[ValidationIssue] = field(default_factory=list)

    @property
    def blocking(self) -> list[ValidationIssue]:
        return [issue for issue in self.issues if issue.blocking]


def tagged_link(url: str | None, utm: dict[str, str]) -> str | None:
    """``url`` with the UTM parameters set (other query parameters kept, UTM ones replaced)."""
    if not url:
        return None
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in utm]
    query += list(utm.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


@lru_cache(maxsize=1)
def _offline_http() -> httpx.AsyncClient:
    # ``validate`` never touches the network; connectors only need a client to be constructed.
    return httpx.AsyncClient(timeout=httpx.Timeout(1.0))


@lru_cache(maxsize=16)
def _connector(platform: Platform) -> Connector | None:
    try:
        return get_connector(platform, ConnectorSettings(), _offline_http())
    except UnsupportedPlatform:
        return None


def measure(text: str, link: str | None, unit: TextUnit, url_weight: int | None) -> int:
    """The composed text's length as the platform counts it (platforms.md §1.6)."""
    composed = compose(text, link)
    if url_weight is not None:
        composed = replace_urls(composed, "x" * url_weight)
    if unit == "chars":
        return len(composed)
    return grapheme_length(composed)


def validate_target(
    platform: Platform,
    *,
    text: str,
    link: str | None,
    language: str | None,
    media: list[MediaItem],
    options: dict[str, Any],
) -> TargetReport:
    connector = _connector(platform)
    if connector is None:
        issue = ValidationIssue(
            "channel",
            "platform_unsupported",
            f"Für {platform.value} kann Klinikfunk noch nicht veröffentlichen.",
        )
        return TargetReport(platform, len(compose(text, link)), None, "chars", [issue])
    request = PublishRequest(
        publication_id="preview",
        text=text,
        media=tuple(media),
        link=link,
        language=language,
        options=options,
    )
    limits = connector.limits
    # Alt text is required here (design.md), not only recommended as the connectors say.
    issues = [i for i in connector.validate(request) if i.code != "alt_text_missing"]
    issues += [
        ValidationIssue(
            f"media[{index}]",
            "alt_text_missing",
            "Bitte einen Alternativtext für Menschen mit Sehbehinderung angeben.",
        )
        for index, item in enumerate(media)
        if not (item.alt_text or "").strip()
    ]
    length = measure(text, link, limits.text_unit, limits.url_weight)
    return TargetReport(platform, length, limits.text_max, limits.text_unit, issues)
