"""Control API under `/_control` for tests and the demo: reset, seed, token expiry, faults,
rate-limit budgets, the virtual clock, inspection and signed webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from dataclasses import asdict
from typing import Any, Literal

import httpx
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from sandbox.faults import CONTROL_PREFIX
from sandbox.state import (
    FaultRule,
    GraphComment,
    GraphMessage,
    GraphPage,
    GraphPost,
    Sandbox,
    WebhookDelivery,
    _jsonable,
    parse_duration,
)


class MastodonAccountIn(BaseModel):
    username: str
    display_name: str | None = None


class PageIn(BaseModel):
    name: str
    instagram: bool = False
    instagram_username: str | None = None


class GraphUserIn(BaseModel):
    name: str = "Redaktion"
    pages: list[PageIn] = Field(default_factory=lambda: [PageIn(name="Klinikum")])
    long_lived: bool = True


class LinkedInOrganizationIn(BaseModel):
    name: str
    vanity_name: str | None = None
    role: str = "ADMINISTRATOR"


class LinkedInMemberIn(BaseModel):
    name: str = "Redaktion"
    organizations: list[LinkedInOrganizationIn] = Field(
        default_factory=lambda: [LinkedInOrganizationIn(name="Klinikum")]
    )
    scopes: list[str] = Field(
        default_factory=lambda: [
            "r_organization_social",
            "w_organization_social",
            "rw_organization_admin",
        ]
    )


class TokenIn(BaseModel):
    token: str


class FaultIn(BaseModel):
    action: Literal["status", "latency", "hang", "drop", "drop_after_create"]
    path_regex: str
    method: str = "*"
    times: int = Field(default=1, ge=1)
    status: int = 500
    body: Any = None
    headers: dict[str, str] = Field(default_factory=dict)
    latency_ms: int = 0
    hang_seconds: float = 60.0


class RateLimitsIn(BaseModel):
    mastodon_rate_limit: int | None = None
    mastodon_rate_window_seconds: int | None = None
    graph_app_calls_per_window: int | None = None
    graph_object_calls_per_window: int | None = None
    graph_rate_window_seconds: int | None = None
    linkedin_app_calls_per_day: int | None = None
    linkedin_member_calls_per_day: int | None = None
    linkedin_posts_per_day: int | None = None


class ClockIn(BaseModel):
    advance: str | float = 0
    """Seconds, or a duration such as `"90s"`, `"15m"`, `"61d"`."""


class UsageIn(BaseModel):
    percent: int
    """Push a Graph budget to this share (0–100) of its window, e.g. 95."""
    object_id: str | None = None
    """A Page or Instagram account id (its `X-Business-Use-Case-Usage`); None: the app."""


class WebhookIn(BaseModel):
    url: str | None = None
    """Defaults to the configured `webhook_url`."""
    object: str = "page"
    entry: list[dict[str, Any]]


class CommentIn(BaseModel):
    """A comment by a person on a Page post, then (by default) its signed `feed` webhook."""

    page_id: str | None = None
    """Default: the first Page."""
    post_id: str | None = None
    """Default: the Page's newest post (one is created when it has none)."""
    parent_id: str | None = None
    """A comment id to reply to; default the post (a top-level comment)."""
    comment_id: str | None = None
    """For `edited`/`remove`: the comment to change."""
    verb: Literal["add", "edited", "remove"] = "add"
    message: str = ""
    from_id: str = "7001"
    from_name: str = "Anna Beispiel"
    deliver: bool = True
    times: int = Field(default=1, ge=1, le=5)
    """Deliver the same bytes this many times (Meta's duplicate deliveries)."""
    bad_signature: bool = False
    """Sign with a wrong secret (the receiver must refuse it)."""
    url: str | None = None


class MessageIn(BaseModel):
    """A Messenger message from a person to a Page, then (by default) its signed webhook."""

    page_id: str | None = None
    sender_id: str = "7001"
    text: str
    deliver: bool = True
    times: int = Field(default=1, ge=1, le=5)
    bad_signature: bool = False
    url: str | None = None


async def _send(
    sandbox: Sandbox, url: str | None, envelope: dict[str, Any], *, bad_signature: bool = False
) -> dict[str, Any]:
    """POST one Meta-style notification signed with `X-Hub-Signature-256` over the exact bytes
    (non-ASCII kept as UTF-8, so a receiver that re-serialises fails the check)."""
    state = sandbox.state
    url = url or state.config.webhook_url
    if not url:
        raise HTTPException(422, "no webhook url configured")
    raw = json.dumps(envelope, ensure_ascii=False).encode()
    secret = state.config.graph_app_secret + ("-wrong" if bad_signature else "")
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    signature = f"sha256={digest}"
    status: int | None = None
    error: str | None = None
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            reply = await client.post(
                url,
                content=raw,
                headers={"content-type": "application/json", "x-hub-signature-256": signature},
            )
        status = reply.status_code
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    delivery = WebhookDelivery(
        url=url, body=raw.decode(), signature=signature, status=status, error=error, at=state.now()
    )
    state.webhook_deliveries.append(delivery)
    return dict(_jsonable(asdict(delivery)))


def router(sandbox: Sandbox) -> APIRouter:
    api = APIRouter(prefix=CONTROL_PREFIX, include_in_schema=False)

    @api.post("/reset")
    async def reset() -> dict[str, Any]:
        sandbox.reset()
        return {"ok": True, "now": sandbox.state.now().isoformat()}

    @api.get("/state")
    async def state() -> dict[str, Any]:
        return sandbox.state.snapshot()

    @api.get("/posts")
    async def posts(platform: str | None = None, account_id: str | None = None) -> list[Any]:
        """Visible (published, not deleted) posts; the exactly-once tests count these."""
        return [
            p
            for p in sandbox.state.visible_posts()
            if (platform is None or p["platform"] == platform)
            and (account_id is None or p["account_id"] == account_id)
        ]

    @api.get("/deletes")
    async def deletes(platform: str | None = None, account_id: str | None = None) -> list[Any]:
        """Every DELETE that reached a platform handler, in order, with whether it deleted
        something; the takedown tests count these."""
        return [
            _jsonable(asdict(call))
            for call in sandbox.state.delete_calls
            if (platform is None or call.platform == platform)
            and (account_id is None or call.account_id == account_id)
        ]

    @api.post("/config")
    async def config(values: dict[str, Any]) -> dict[str, Any]:
        try:
            sandbox.state.config.update(values)
        except KeyError as exc:
            raise HTTPException(422, f"unknown config key {exc}") from exc
        return dict(_jsonable(asdict(sandbox.state.config)))

    @api.post("/rate-limits")
    async def rate_limits(body: RateLimitsIn) -> dict[str, Any]:
        """Set budgets and start every window afresh."""
        sandbox.state.config.update(body.model_dump(exclude_none=True))
        sandbox.state.windows.clear()
        return dict(_jsonable(asdict(sandbox.state.config)))

    @api.post("/graph/usage")
    async def graph_usage(body: UsageIn) -> dict[str, Any]:
        """Set how much of a Graph window is used, so the usage headers report it."""
        state, config = sandbox.state, sandbox.state.config
        if body.object_id is None:
            key, limit = "graph:app", config.graph_app_calls_per_window
        else:
            key, limit = f"graph:buc:{body.object_id}", config.graph_object_calls_per_window
        window = state.window(key, limit, config.graph_rate_window_seconds)
        window.used = max(0, min(limit, math.ceil(limit * body.percent / 100)))
        return {"key": key, "used": window.used, "limit": window.limit}

    @api.get("/in-flight")
    async def in_flight() -> dict[str, Any]:
        """Creates in flight per account now and the most at once since the last reset."""
        return {"current": dict(sandbox.state.in_flight), "max": dict(sandbox.state.max_in_flight)}

    @api.post("/mastodon/accounts")
    async def mastodon_account(body: MastodonAccountIn) -> dict[str, Any]:
        token = sandbox.state.create_mastodon_account(body.username, body.display_name)
        return {"account_id": token.subject_id, "access_token": token.value}

    @api.post("/graph/users")
    async def graph_user(body: GraphUserIn) -> dict[str, Any]:
        state = sandbox.state
        user = state.create_graph_user(body.name, [p.model_dump() for p in body.pages])
        kind: Literal["graph_user_long", "graph_user_short"] = (
            "graph_user_long" if body.long_lived else "graph_user_short"
        )
        lifetime = (
            state.config.graph_long_token_seconds
            if body.long_lived
            else state.config.graph_short_token_seconds
        )
        token = state.issue_token(kind, user.id, lifetime, user.permissions)
        pages = [state.graph_pages[p] for p in user.page_ids]
        return {
            "user_id": user.id,
            "user_token": token.value,
            "pages": [
                {
                    "id": p.id,
                    "name": p.name,
                    "access_token": p.access_token,
                    "instagram_business_account_id": p.instagram_id,
                }
                for p in pages
            ],
        }

    @api.post("/linkedin/members")
    async def linkedin_member(body: LinkedInMemberIn) -> dict[str, Any]:
        state = sandbox.state
        member = state.create_linkedin_member(
            body.name, [o.model_dump() for o in body.organizations]
        )
        access, refresh = state.issue_linkedin_tokens(member.id, body.scopes)
        return {
            "member_id": member.id,
            "access_token": access.value,
            "refresh_token": refresh.value,
            "organizations": [
                {
                    "id": org_id,
                    "urn": state.linkedin_organizations[org_id].urn,
                    "name": state.linkedin_organizations[org_id].name,
                    "role": role,
                }
                for org_id, role in member.roles.items()
            ],
        }

    def find_token(value: str) -> Any:
        token = sandbox.state.tokens.get(value)
        if token is None:
            raise HTTPException(404, "unknown token")
        return token

    @api.post("/tokens/expire")
    async def expire(body: TokenIn) -> dict[str, Any]:
        token = find_token(body.token)
        token.expires_at = sandbox.state.now()
        return {"ok": True}

    @api.post("/tokens/revoke")
    async def revoke(body: TokenIn) -> dict[str, Any]:
        find_token(body.token).revoked = True
        return {"ok": True}

    @api.post("/faults")
    async def add_fault(body: FaultIn) -> dict[str, Any]:
        state = sandbox.state
        rule = FaultRule(id=state.next_id(), **body.model_dump())
        rule.method = rule.method.upper()
        state.faults.append(rule)
        return dict(_jsonable(asdict(rule)))

    @api.get("/faults")
    async def list_faults() -> list[Any]:
        return [_jsonable(asdict(rule)) for rule in sandbox.state.faults]

    @api.delete("/faults")
    async def clear_faults() -> dict[str, Any]:
        sandbox.state.faults.clear()
        return {"ok": True}

    @api.get("/clock")
    async def clock() -> dict[str, Any]:
        return {"now": sandbox.state.now().isoformat()}

    @api.post("/clock")
    async def advance(body: ClockIn) -> dict[str, Any]:
        try:
            delta = parse_duration(body.advance)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        sandbox.state.clock.advance(delta)
        return {"now": sandbox.state.now().isoformat()}

    @api.post("/webhooks/deliver")
    async def deliver(body: WebhookIn) -> dict[str, Any]:
        """POST a Meta-style notification signed with `X-Hub-Signature-256` over the exact bytes."""
        return await _send(sandbox, body.url, {"object": body.object, "entry": body.entry})

    def page_for(page_id: str | None) -> GraphPage:
        pages = sandbox.state.graph_pages
        page = pages.get(page_id) if page_id else next(iter(pages.values()), None)
        if page is None:
            raise HTTPException(404, "unknown page")
        return page

    @api.post("/graph/comments")
    async def comment(body: CommentIn) -> dict[str, Any]:
        """Create (or edit/remove) a comment on a Page post and deliver its `feed` webhook."""
        state = sandbox.state
        page = page_for(body.page_id)
        now = state.now()
        if body.verb == "add":
            post_id = body.post_id or next(
                (p.id for p in reversed(state.graph_posts.values()) if p.page_id == page.id), None
            )
            if post_id is None:
                post = GraphPost(
                    id=f"{page.id}_{state.graph_id()}", page_id=page.id, kind="feed",
                    message="Beitrag", link=None, image_url=None, published=True,
                    created_at=now,
                )  # fmt: skip
                state.graph_posts[post.id] = post
                post_id = post.id
            elif post_id not in state.graph_posts:
                raise HTTPException(404, "unknown post")
            item = GraphComment(
                id=f"{post_id.split('_')[-1]}_{state.graph_id()}", page_id=page.id,
                post_id=post_id, parent_id=body.parent_id or post_id, from_id=body.from_id,
                from_name=body.from_name, message=body.message, created_at=now,
            )  # fmt: skip
            state.graph_comments[item.id] = item
        else:
            found = state.graph_comments.get(body.comment_id or "")
            if found is None:
                raise HTTPException(404, "unknown comment")
            item = found
            if body.verb == "edited":
                item.message = body.message
            else:
                del state.graph_comments[item.id]
        value: dict[str, Any] = {
            "item": "comment", "verb": body.verb, "comment_id": item.id,
            "post_id": item.post_id, "parent_id": item.parent_id,
            "from": {"id": item.from_id, "name": item.from_name},
            "created_time": int(item.created_at.timestamp()),
        }  # fmt: skip
        if body.verb != "remove":
            value["message"] = item.message
        envelope = {
            "object": "page",
            "entry": [
                {
                    "id": page.id,
                    "time": int(now.timestamp()),
                    "changes": [{"field": "feed", "value": value}],
                }
            ],
        }
        deliveries = []
        if body.deliver:
            for _ in range(body.times):
                deliveries.append(
                    await _send(sandbox, body.url, envelope, bad_signature=body.bad_signature)
                )
        return {"comment": _jsonable(asdict(item)), "deliveries": deliveries}

    @api.post("/graph/messages")
    async def message(body: MessageIn) -> dict[str, Any]:
        """A person's Messenger message to a Page and its `messaging` webhook."""
        state = sandbox.state
        page = page_for(body.page_id)
        now = state.now()
        item = GraphMessage(
            mid=f"m_{state.graph_id()}", page_id=page.id, sender_id=body.sender_id,
            recipient_id=page.id, text=body.text, created_at=now,
        )  # fmt: skip
        state.graph_messages[item.mid] = item
        millis = int(now.timestamp() * 1000)
        envelope = {
            "object": "page",
            "entry": [
                {
                    "id": page.id,
                    "time": millis,
                    "messaging": [
                        {
                            "sender": {"id": item.sender_id},
                            "recipient": {"id": page.id},
                            "timestamp": millis,
                            "message": {"mid": item.mid, "text": item.text},
                        }
                    ],
                }
            ],
        }
        deliveries = []
        if body.deliver:
            for _ in range(body.times):
                deliveries.append(
                    await _send(sandbox, body.url, envelope, bad_signature=body.bad_signature)
                )
        return {"message": _jsonable(asdict(item)), "deliveries": deliveries}

    @api.post("/webhooks/echo")
    async def echo(request: Request) -> dict[str, Any]:
        """A receiver for self-tests: records the raw body and signature header."""
        raw = await request.body()
        sandbox.state.webhook_inbox.append(
            {
                "body": raw.decode("utf-8", "replace"),
                "signature": request.headers.get("x-hub-signature-256"),
            }
        )
        return {"ok": True}

    return api
