"""Thin Graph client for Facebook Pages (``/{page}/feed``, ``/{page}/photos``, posts)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from app.connectors._graph import GraphClient

POST_FIELDS = "id,message,created_time,permalink_url"


class FacebookClient(GraphClient):
    """Calls with a Page access token."""

    async def upload_unpublished_photo(self, page_id: str, url: str, alt_text: str | None) -> str:
        """``POST /{page}/photos published=false`` — invisible until attached to a feed post."""
        data: dict[str, Any] = {"url": url, "published": "false"}
        if alt_text:
            data["alt_text_custom"] = alt_text
        body = await self.request("POST", f"{page_id}/photos", data=data)
        return str(body["id"])

    async def create_feed_post(
        self, page_id: str, *, message: str, link: str | None, photo_ids: list[str]
    ) -> str:
        """``POST /{page}/feed`` — the visible call. Returns ``{page}_{post}``."""
        data: dict[str, Any] = {"message": message, "published": "true"}
        if link:
            data["link"] = link
        for index, photo_id in enumerate(photo_ids):
            data[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
        body = await self.request("POST", f"{page_id}/feed", data=data, visible=True)
        return str(body["id"])

    async def get_post(self, post_id: str) -> dict[str, Any]:
        return await self.request("GET", post_id, params={"fields": POST_FIELDS})

    async def feed_since(self, page_id: str, since: dt.datetime) -> list[dict[str, Any]]:
        """Posts on the Page's feed created at or after ``since``, newest first (first page)."""
        body = await self.request(
            "GET",
            f"{page_id}/feed",
            params={"fields": POST_FIELDS, "since": int(since.timestamp()), "limit": 50},
        )
        data = body.get("data")
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    async def delete_object(self, object_id: str) -> None:
        await self.request("DELETE", object_id)

    async def page(self, page_id: str) -> dict[str, Any]:
        return await self.request("GET", page_id, params={"fields": "id,name"})
