"""`GET /posts/{platform}/{id}`: a plain HTML view of a published post ("view on platform")."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from sandbox.state import Sandbox

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;"
    "color:#1f2933}article{border:1px solid #cbd2d9;border-radius:8px;padding:1rem}"
    ".meta{color:#616e7c;font-size:.875rem}p{white-space:pre-wrap}"
)
LABELS = {
    "mastodon": "Mastodon",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
}


def router(sandbox: Sandbox) -> APIRouter:
    api = APIRouter(include_in_schema=False)

    @api.get("/posts/{platform}/{post_id}", response_class=HTMLResponse)
    async def view_post(platform: str, post_id: str) -> HTMLResponse:
        state = sandbox.state
        author = text = created = None
        if platform == "mastodon" and post_id in state.mastodon_statuses:
            status = state.mastodon_statuses[post_id]
            if status.deleted_at is None:
                author = "@" + state.mastodon_accounts[status.account_id].username
                text, created = status.text, status.created_at
        elif platform == "facebook" and post_id in state.graph_posts:
            post = state.graph_posts[post_id]
            if post.deleted_at is None and post.published:
                author = state.graph_pages[post.page_id].name
                text, created = post.message, post.created_at
        elif platform == "instagram" and post_id in state.ig_media:
            media = state.ig_media[post_id]
            if media.deleted_at is None:
                author = "@" + state.ig_users.get(media.ig_user_id, "")
                text, created = media.caption, media.created_at
        elif platform == "linkedin" and post_id in state.linkedin_posts:
            share = state.linkedin_posts[post_id]
            if share.deleted_at is None and share.lifecycle_state == "PUBLISHED":
                org = state.linkedin_organizations.get(share.author.rsplit(":", 1)[-1])
                author = org.name if org else share.author
                text, created = share.text, share.created_at
        if author is None or created is None:
            return HTMLResponse(
                _page("Beitrag nicht gefunden", "<p>Beitrag nicht gefunden.</p>"), 404
            )
        label = LABELS.get(platform, platform)
        body = (
            f"<article><div class='meta'>{escape(label)} (Sandbox) · {escape(author)} · "
            f"<time datetime='{created.isoformat()}'>{created:%d.%m.%Y %H:%M} UTC</time></div>"
            f"<p>{escape(text or '')}</p></article>"
        )
        return HTMLResponse(_page(f"{label}: Beitrag {post_id}", body))

    @api.get("/linkedin/feed/update/{post_urn}", response_class=HTMLResponse)
    async def linkedin_post(post_urn: str) -> HTMLResponse:
        """LinkedIn's permalink shape (`https://www.linkedin.com/feed/update/<urn>`)."""
        return await view_post("linkedin", post_urn)

    return api


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='de'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
