"""Thin Graph client for Instagram content publishing (containers, status, media_publish)."""

from __future__ import annotations

from typing import Any

from app.connectors._graph import GraphClient

MEDIA_FIELDS = "id,caption,timestamp,permalink"


class InstagramClient(GraphClient):
    """Calls for one IG professional account with its Page (or IG user) token."""

    async def publishing_limit(self, ig_user_id: str) -> tuple[int, int]:
        """``(quota_usage, quota_total)`` of the rolling 24 h publishing quota."""
        body = await self.request(
            "GET",
            f"{ig_user_id}/content_publishing_limit",
            params={"fields": "quota_usage,config"},
        )
        entries = body.get("data")
        entry = entries[0] if isinstance(entries, list) and entries else {}
        entry = entry if isinstance(entry, dict) else {}
        config = entry.get("config")
        config = config if isinstance(config, dict) else {}
        return _int(entry.get("quota_usage"), 0), _int(config.get("quota_total"), 50)

    async def create_container(self, ig_user_id: str, fields: dict[str, Any]) -> str:
        """``POST /{ig}/media`` — invisible; the container expires after 24 h."""
        body = await self.request("POST", f"{ig_user_id}/media", data=fields)
        return str(body["id"])

    async def container_status(self, container_id: str) -> tuple[str, str]:
        """``(status_code, status)``; ``status`` carries the error subcode when ERROR."""
        body = await self.request("GET", container_id, params={"fields": "status_code,status"})
        return str(body.get("status_code", "")), str(body.get("status", ""))

    async def media_publish(self, ig_user_id: str, container_id: str) -> str:
        """``POST /{ig}/media_publish`` — the visible call; returns the IG media id."""
        body = await self.request(
            "POST", f"{ig_user_id}/media_publish", data={"creation_id": container_id}, visible=True
        )
        return str(body["id"])

    async def media(self, media_id: str) -> dict[str, Any]:
        return await self.request("GET", media_id, params={"fields": MEDIA_FIELDS})

    async def recent_media(self, ig_user_id: str) -> list[dict[str, Any]]:
        """The account's newest media, newest first (first page)."""
        body = await self.request(
            "GET", f"{ig_user_id}/media", params={"fields": MEDIA_FIELDS, "limit": 25}
        )
        data = body.get("data")
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    async def account(self, ig_user_id: str) -> dict[str, Any]:
        return await self.request("GET", ig_user_id, params={"fields": "id,username"})


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
