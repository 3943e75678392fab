"""Graph personality (Facebook Pages + Instagram with Facebook Login), under `/graph/v{N}`.

Errors use Meta's envelope `{"error": {message, type, code, error_subcode, fbtrace_id,
is_transient, ...}}` with HTTP 400. Every response carries `X-App-Usage`; calls charged to a
Page or Instagram account also carry `X-Business-Use-Case-Usage` (fixed windows, virtual time)."""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from sandbox.oauth import redirect_with_code
from sandbox.params import Params, read_params
from sandbox.state import (
    AuthCode,
    DeleteCall,
    GraphPage,
    GraphPost,
    GraphUser,
    IgContainer,
    IgMedia,
    Sandbox,
    SandboxState,
    Token,
    Window,
)
from sandbox.urls import public_base, route_path

PREFIX = "/graph/{version}"
CAPTION_LIMIT = 2200
QUOTA_DURATION = 86_400
CONTAINER_TTL = timedelta(hours=24)


class GraphError(Exception):
    def __init__(
        self,
        message: str,
        code: int,
        *,
        subcode: int | None = None,
        type: str = "OAuthException",
        is_transient: bool = False,
        user_title: str | None = None,
        user_msg: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.type = type
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_msg = user_msg
        self.status = status

    def body(self, fbtrace_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "code": self.code,
            "fbtrace_id": fbtrace_id,
            "is_transient": self.is_transient,
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.user_title:
            error["error_user_title"] = self.user_title
        if self.user_msg:
            error["error_user_msg"] = self.user_msg
        return {"error": error}


def not_found(node_id: str, method: str = "get") -> GraphError:
    return GraphError(
        f"Unsupported {method} request. Object with ID '{node_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read "
        "the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        100,
        subcode=33,
        type="GraphMethodException",
    )


def fb_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class Ctx:
    state: SandboxState
    request: Request
    params: Params
    token: Token

    @property
    def base(self) -> str:
        return public_base(self.request)

    def user(self) -> GraphUser | None:
        if self.token.kind in ("graph_user_short", "graph_user_long"):
            return self.state.graph_users.get(self.token.subject_id)
        return None

    def may_read_page(self, page: GraphPage) -> bool:
        user = self.user()
        return (self.token.kind == "graph_page" and self.token.subject_id == page.id) or (
            user is not None and page.id in user.page_ids
        )

    def charge(self, object_id: str, kind: str) -> None:
        """Count this call against the Page/IG account's BUC window; raise when throttled."""
        config = self.state.config
        window = self.state.window(
            f"graph:buc:{object_id}",
            config.graph_object_calls_per_window,
            config.graph_rate_window_seconds,
        )
        window.used += 1
        self.request.state.buc = (object_id, kind, window)
        if window.used > window.limit:
            if kind == "instagram":
                raise GraphError(
                    "(#80002) There have been too many calls to this Instagram account. "
                    "Wait a bit and try again.",
                    80002,
                    is_transient=True,
                )
            if self.token.kind == "graph_page":
                raise GraphError(
                    "(#80001) There have been too many calls to this Page account. "
                    "Wait a bit and try again.",
                    80001,
                    is_transient=True,
                )
            raise GraphError("(#32) Page request limit reached", 32, is_transient=True)


def _token_value(request: Request, params: Params) -> str | None:
    header = request.headers.get("authorization", "")
    for scheme in ("bearer ", "oauth "):
        if header.lower().startswith(scheme):
            return header[len(scheme) :].strip()
    return params.get("access_token")


def check_token(state: SandboxState, value: str | None) -> Token:
    if not value:
        raise GraphError("An access token is required to request this resource.", 104)
    token = state.tokens.get(value)
    if token is None or token.kind == "mastodon":
        raise GraphError("Invalid OAuth access token - Cannot parse access token", 190)
    problem = token.problem(state.now())
    if problem == "expired":
        assert token.expires_at is not None
        raise GraphError(
            "Error validating access token: Session has expired on "
            f"{token.expires_at.strftime('%A, %d-%b-%y %H:%M:%S')} UTC. The current time is "
            f"{state.now().strftime('%A, %d-%b-%y %H:%M:%S')} UTC.",
            190,
            subcode=463,
        )
    if problem == "revoked":
        raise GraphError(
            "Error validating access token: The session has been invalidated because the user "
            "changed their password or Facebook has changed the session for security reasons.",
            190,
            subcode=460,
        )
    return token


def charge_app(state: SandboxState) -> None:
    config = state.config
    window = state.window(
        "graph:app", config.graph_app_calls_per_window, config.graph_rate_window_seconds
    )
    window.used += 1
    if window.used > window.limit:
        raise GraphError("(#4) Application request limit reached", 4, is_transient=True)


def router(sandbox: Sandbox) -> APIRouter:
    api = APIRouter(prefix=PREFIX, include_in_schema=False)

    def st() -> SandboxState:
        return sandbox.state

    async def begin(request: Request) -> Ctx:
        _check_version(request)
        params = await read_params(request)
        charge_app(st())
        token = check_token(st(), _token_value(request, params))
        return Ctx(st(), request, params, token)

    def page_for_write(ctx: Ctx, page_id: str) -> GraphPage:
        page = ctx.state.graph_pages.get(page_id)
        if page is None:
            raise not_found(page_id)
        ctx.charge(page.id, "pages")
        if ctx.token.kind != "graph_page" or ctx.token.subject_id != page.id:
            raise GraphError(
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts as an admin with sufficient administrative permission",
                200,
            )
        return page

    def ig_account(ctx: Ctx, ig_id: str) -> str:
        page = ctx.state.page_of_ig(ig_id)
        if page is None or not ctx.may_read_page(page):
            raise not_found(ig_id)
        ctx.charge(ig_id, "instagram")
        return ig_id

    # ---------- OAuth ----------

    @api.get("/dialog/oauth")
    async def dialog(request: Request) -> Response:
        """Auto-consent: the first user (or `sandbox_user=<id>`) grants all requested scopes."""
        _check_version(request)
        q = request.query_params
        redirect_uri = q.get("redirect_uri")
        if q.get("client_id") != st().config.graph_app_id or not redirect_uri:
            return HTMLResponse("<h1>Ungültige App-ID oder Weiterleitungs-URI</h1>", 400)
        wanted = q.get("sandbox_user")
        user = next(
            (u for u in st().graph_users.values() if wanted is None or u.id == wanted), None
        )
        if user is None:
            return HTMLResponse("<h1>Kein Nutzer</h1>", 400)
        code = AuthCode(
            code="AQ" + secrets.token_urlsafe(32),
            client_id=st().config.graph_app_id,
            redirect_uri=redirect_uri,
            subject_id=user.id,
            scopes=(q.get("scope") or "").replace(",", " ").split(),
            code_challenge=None,
        )
        st().auth_codes[code.code] = code
        return redirect_with_code(redirect_uri, code.code, q.get("state"))

    @api.get("/oauth/access_token")
    async def access_token(request: Request) -> Response:
        _check_version(request)
        params = await read_params(request)
        state = st()
        charge_app(state)
        if (
            params.get("client_id") != state.config.graph_app_id
            or params.get("client_secret") != state.config.graph_app_secret
        ):
            raise GraphError("Error validating client secret.", 1)
        if params.get("grant_type") == "fb_exchange_token":
            old = check_token(state, params.get("fb_exchange_token"))
            if old.kind not in ("graph_user_short", "graph_user_long"):
                raise GraphError("Invalid OAuth access token - Cannot parse access token", 190)
            lifetime = state.config.graph_long_token_seconds
            issued = state.issue_token("graph_user_long", old.subject_id, lifetime, old.scopes)
        else:
            code = state.auth_codes.get(params.get("code") or "")
            if code is None or code.used or code.client_id != state.config.graph_app_id:
                raise GraphError(
                    "This authorization code has been used."
                    if code
                    else "Invalid verification code format.",
                    100,
                    subcode=36009 if code else None,
                )
            if code.redirect_uri != params.get("redirect_uri"):
                raise GraphError(
                    "Error validating verification code. Please make sure your redirect_uri is "
                    "identical to the one you used in the OAuth dialog request",
                    100,
                    subcode=36008,
                )
            code.used = True
            lifetime = state.config.graph_short_token_seconds
            issued = state.issue_token("graph_user_short", code.subject_id, lifetime, code.scopes)
        return JSONResponse(
            {"access_token": issued.value, "token_type": "bearer", "expires_in": lifetime}
        )

    @api.get("/debug_token")
    async def debug_token(request: Request) -> Response:
        ctx = await begin(request)
        target = ctx.state.tokens.get(ctx.params.get("input_token") or "")
        if target is None or target.kind == "mastodon":
            return JSONResponse({"data": {"is_valid": False}})
        data: dict[str, Any] = {
            "app_id": ctx.state.config.graph_app_id,
            "type": "PAGE" if target.kind == "graph_page" else "USER",
            "application": "Klinikfunk",
            "expires_at": int(target.expires_at.timestamp()) if target.expires_at else 0,
            "is_valid": target.problem(ctx.state.now()) is None,
            "issued_at": int(target.created_at.timestamp()),
            "scopes": target.scopes,
        }
        if target.kind == "graph_page":
            data["profile_id"] = target.subject_id
        else:
            data["user_id"] = target.subject_id
        return JSONResponse({"data": data})

    # ---------- me ----------

    @api.get("/me")
    async def me(request: Request) -> Response:
        ctx = await begin(request)
        if ctx.token.kind == "graph_page":
            page = ctx.state.graph_pages[ctx.token.subject_id]
            return JSONResponse({"id": page.id, "name": page.name})
        user = ctx.state.graph_users[ctx.token.subject_id]
        return JSONResponse({"id": user.id, "name": user.name})

    @api.get("/me/permissions")
    async def permissions(request: Request) -> Response:
        ctx = await begin(request)
        user = ctx.user()
        granted = user.permissions if user else []
        return JSONResponse({"data": [{"permission": p, "status": "granted"} for p in granted]})

    @api.get("/me/accounts")
    async def accounts(request: Request) -> Response:
        ctx = await begin(request)
        user = ctx.user()
        if user is None:
            raise GraphError(
                "(#100) Tried accessing nonexisting field (accounts) on node type (Page)", 100
            )
        data = []
        for page_id in user.page_ids:
            page = ctx.state.graph_pages[page_id]
            item: dict[str, Any] = {
                "id": page.id,
                "name": page.name,
                "access_token": page.access_token,
                "category": "Hospital",
                "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE"],
            }
            if page.instagram_id:
                item["instagram_business_account"] = {"id": page.instagram_id}
            data.append(item)
        return JSONResponse({"data": data, "paging": {"cursors": {"before": "", "after": ""}}})

    # ---------- Facebook Page publishing ----------

    @api.post("/{page_id}/feed")
    async def create_feed_post(page_id: str, request: Request) -> Response:
        ctx = await begin(request)
        page = page_for_write(ctx, page_id)
        message = ctx.params.get("message") or ""
        link = ctx.params.get("link")
        photos = _attached_photos(ctx, page)
        if not message and not link and not photos:
            raise GraphError("(#100) Missing message or attachment.", 100)
        now = ctx.state.now()
        window = timedelta(seconds=ctx.state.config.graph_duplicate_window_seconds)
        if message and any(
            p.page_id == page.id
            and p.kind == "feed"
            and p.message == message
            and p.deleted_at is None
            and now - p.created_at < window
            for p in ctx.state.graph_posts.values()
        ):
            raise GraphError("(#506) Duplicate status message", 506)
        post = GraphPost(
            id=f"{page.id}_{ctx.state.graph_id()}",
            page_id=page.id,
            kind="feed",
            message=message,
            link=link,
            image_url=photos[0].image_url if photos else None,
            published=ctx.params.flag("published", True),
            created_at=now,
            attached_photo_ids=[photo.id for photo in photos],
        )
        ctx.state.graph_posts[post.id] = post
        for photo in photos:
            photo.attached_to = post.id
        return JSONResponse({"id": post.id})

    @api.post("/{page_id}/photos")
    async def create_photo(page_id: str, request: Request) -> Response:
        ctx = await begin(request)
        page = page_for_write(ctx, page_id)
        url = ctx.params.get("url")
        if not url:
            raise GraphError("(#324) Requires upload file", 324)
        photo_id = ctx.state.graph_id()
        published = ctx.params.flag("published", True)
        post = GraphPost(
            id=f"{page.id}_{ctx.state.graph_id()}" if published else photo_id,
            page_id=page.id,
            kind="photo",
            message=ctx.params.get("caption") or ctx.params.get("message") or "",
            link=None,
            image_url=url,
            published=published,
            created_at=ctx.state.now(),
            photo_id=photo_id,
            alt_text=ctx.params.get("alt_text_custom"),
        )
        ctx.state.graph_posts[post.id] = post
        if published:
            return JSONResponse({"id": photo_id, "post_id": post.id})
        return JSONResponse({"id": photo_id})

    @api.get("/{page_id}/feed")
    @api.get("/{page_id}/posts")
    @api.get("/{page_id}/published_posts")
    async def list_feed(page_id: str, request: Request) -> Response:
        ctx = await begin(request)
        page = ctx.state.graph_pages.get(page_id)
        if page is None or not ctx.may_read_page(page):
            raise not_found(page_id)
        ctx.charge(page.id, "pages")
        posts = sorted(
            (
                p
                for p in ctx.state.graph_posts.values()
                if p.page_id == page.id and p.published and p.deleted_at is None
            ),
            key=lambda p: (p.created_at, p.id),
            reverse=True,
        )
        if ctx.params.get("since"):
            since = _parse_time(ctx.params.get("since") or "")
            posts = [p for p in posts if p.created_at >= since]
        if ctx.params.get("until"):
            until = _parse_time(ctx.params.get("until") or "")
            posts = [p for p in posts if p.created_at <= until]
        after = ctx.params.get("after")
        if after:
            ids = [p.id for p in posts]
            posts = posts[ids.index(after) + 1 :] if after in ids else []
        limit = _int(ctx.params.get("limit"), 25, 100)
        page_items = posts[:limit]
        fields = _fields(ctx.params, "id,message,created_time")
        body: dict[str, Any] = {
            "data": [_pick(_post_json(ctx, p), fields) for p in page_items],
        }
        if page_items:
            body["paging"] = {"cursors": {"before": page_items[0].id, "after": page_items[-1].id}}
            if len(posts) > limit:
                query = dict(request.query_params) | {"after": page_items[-1].id}
                body["paging"]["next"] = f"{ctx.base}{route_path(request.scope)}?{urlencode(query)}"
        return JSONResponse(body)

    # ---------- Instagram publishing ----------

    @api.post("/{ig_id}/media")
    async def create_container(ig_id: str, request: Request) -> Response:
        ctx = await begin(request)
        ig_account(ctx, ig_id)
        p = ctx.params
        media_type = (p.get("media_type") or "IMAGE").upper()
        caption = p.get("caption") or ""
        if len(caption) > CAPTION_LIMIT:
            raise GraphError(
                "The caption is too long.",
                100,
                subcode=2207010,
                user_title="Caption too long",
                user_msg=f"The caption can be at most {CAPTION_LIMIT} characters long.",
            )
        children: list[str] = []
        if media_type == "CAROUSEL":
            children = [c for item in p.getlist("children") for c in item.split(",") if c]
            if not 2 <= len(children) <= 10 or any(
                c not in ctx.state.ig_containers or not ctx.state.ig_containers[c].is_carousel_item
                for c in children
            ):
                raise GraphError(
                    "The carousel is invalid.",
                    100,
                    subcode=2207028,
                    user_title="Carousel validation failed",
                    user_msg="A carousel needs 2 to 10 valid carousel item containers.",
                )
        elif media_type in ("REELS", "VIDEO", "STORIES") and p.get("video_url"):
            pass
        elif not p.get("image_url"):
            raise GraphError("(#100) The parameter image_url is required.", 100)
        elif (p.get("image_url") or "").lower().split("?")[0].endswith(
            (".png", ".gif", ".webp")
        ) or not await _fetches_as_jpeg(p.get("image_url") or ""):
            raise GraphError(
                "Only photo or video can be accepted as media type.",
                9004,
                subcode=2207005,
                user_title="Unsupported image format",
                user_msg="The image format is not supported. Only JPEG is supported.",
            )
        container = IgContainer(
            id=ctx.state.graph_id(),
            ig_user_id=ig_id,
            media_type=media_type,
            image_url=p.get("image_url"),
            video_url=p.get("video_url"),
            caption=caption,
            children=children,
            is_carousel_item=p.flag("is_carousel_item", False),
            created_at=ctx.state.now(),
            polls_left=ctx.state.config.ig_container_polls_in_progress,
            alt_text=p.get("alt_text"),
        )
        ctx.state.ig_containers[container.id] = container
        return JSONResponse({"id": container.id})

    @api.get("/{ig_id}/media")
    async def list_media(ig_id: str, request: Request) -> Response:
        ctx = await begin(request)
        ig_account(ctx, ig_id)
        media = sorted(
            (
                m
                for m in ctx.state.ig_media.values()
                if m.ig_user_id == ig_id and m.deleted_at is None
            ),
            key=lambda m: (m.created_at, m.id),
            reverse=True,
        )[: _int(ctx.params.get("limit"), 25, 100)]
        fields = _fields(ctx.params, "id")
        return JSONResponse({"data": [_pick(_ig_media_json(ctx, m), fields) for m in media]})

    @api.post("/{ig_id}/media_publish")
    async def publish(ig_id: str, request: Request) -> Response:
        ctx = await begin(request)
        ig_account(ctx, ig_id)
        container = ctx.state.ig_containers.get(ctx.params.get("creation_id") or "")
        if container is None or container.ig_user_id != ig_id:
            raise GraphError(
                "The media with the given creation id cannot be found.",
                100,
                subcode=2207006,
                user_title="Media not found",
            )
        status = _container_status(ctx.state, container, poll=False)
        if status == "EXPIRED":
            raise GraphError(
                "The media builder has expired.",
                100,
                subcode=2207008,
                user_title="Media builder expired",
                user_msg="Create a new container and publish it within 24 hours.",
            )
        if status == "PUBLISHED":
            raise GraphError(
                "The media has already been published.",
                100,
                subcode=2207006,
                user_title="Media already published",
            )
        if status != "FINISHED":
            raise GraphError(
                "The media is not ready for publishing, please wait for a moment",
                9007,
                subcode=2207027,
                user_title="Media ID is not available",
                is_transient=True,
            )
        if _quota_usage(ctx.state, ig_id) >= ctx.state.config.ig_quota_total:
            raise GraphError(
                "(#9) Application request limit reached",
                9,
                subcode=2207042,
                user_title="Max. posts reached",
                user_msg="You have reached the maximum of "
                f"{ctx.state.config.ig_quota_total} posts per 24 hours.",
            )
        media = IgMedia(
            id=str(17_900_000_000_000_000 + ctx.state.next_id()),
            ig_user_id=ig_id,
            container_id=container.id,
            caption=container.caption,
            media_type=container.media_type,
            media_url=container.image_url or container.video_url,
            created_at=ctx.state.now(),
            alt_text=container.alt_text,
        )
        ctx.state.ig_media[media.id] = media
        container.status_code = "PUBLISHED"
        container.media_id = media.id
        return JSONResponse({"id": media.id})

    @api.get("/{ig_id}/content_publishing_limit")
    async def publishing_limit(ig_id: str, request: Request) -> Response:
        ctx = await begin(request)
        ig_account(ctx, ig_id)
        return JSONResponse(
            {
                "data": [
                    {
                        "quota_usage": _quota_usage(ctx.state, ig_id),
                        "config": {
                            "quota_total": ctx.state.config.ig_quota_total,
                            "quota_duration": QUOTA_DURATION,
                        },
                    }
                ]
            }
        )

    # ---------- generic nodes ----------

    @api.get("/{node_id}")
    async def get_node(node_id: str, request: Request) -> Response:
        ctx = await begin(request)
        state = ctx.state
        data: dict[str, Any]
        if node_id in state.graph_pages:
            page = state.graph_pages[node_id]
            ctx.charge(page.id, "pages")
            data = {"id": page.id, "name": page.name, "link": f"{ctx.base}/posts/page/{page.id}"}
            if page.instagram_id:
                data["instagram_business_account"] = {"id": page.instagram_id}
            default = "id,name"
        elif node_id in state.ig_users:
            ig_account(ctx, node_id)
            count = sum(1 for m in state.ig_media.values() if m.ig_user_id == node_id)
            data = {"id": node_id, "username": state.ig_users[node_id], "media_count": count}
            default = "id,username"
        elif node_id in state.ig_containers:
            container = state.ig_containers[node_id]
            ig_account(ctx, container.ig_user_id)
            code = _container_status(state, container, poll=True)
            data = {"id": node_id, "status_code": code, "status": _status_text(code)}
            default = "id"
        elif node_id in state.ig_media and state.ig_media[node_id].deleted_at is None:
            media = state.ig_media[node_id]
            ig_account(ctx, media.ig_user_id)
            data = _ig_media_json(ctx, media)
            default = "id"
        else:
            post = _find_post(state, node_id)
            if post is None:
                raise not_found(node_id)
            page = state.graph_pages[post.page_id]
            if not ctx.may_read_page(page):
                raise not_found(node_id)
            ctx.charge(page.id, "pages")
            data = _post_json(ctx, post)
            default = "id,message,created_time"
        return JSONResponse(_pick(data, _fields(ctx.params, default)))

    @api.delete("/{node_id}")
    async def delete_node(node_id: str, request: Request) -> Response:
        ctx = await begin(request)
        post = _find_post(ctx.state, node_id)
        if post is None:
            ctx.state.delete_calls.append(
                DeleteCall("facebook", node_id, None, deleted=False, at=ctx.state.now())
            )
            raise not_found(node_id, "delete")
        page_for_write(ctx, post.page_id)
        post.deleted_at = ctx.state.now()
        ctx.state.delete_calls.append(
            DeleteCall("facebook", node_id, post.page_id, deleted=True, at=ctx.state.now())
        )
        return JSONResponse({"success": True})

    return api


def _check_version(request: Request) -> None:
    version = request.path_params.get("version", "")
    major, _, minor = version.removeprefix("v").partition(".")
    if not version.startswith("v") or not major.isdigit() or (minor and not minor.isdigit()):
        raise GraphError(f"Unknown path components: /{version}", 2500)


_ATTACHED_MEDIA_KEY = re.compile(r"^attached_media(?:\[(\d+)\])?$")


def _attached_photos(ctx: Ctx, page: GraphPage) -> list[GraphPost]:
    """The unpublished photos named by `attached_media` — either one JSON array
    (`attached_media=[{"media_fbid":"…"}]`) or indexed fields (`attached_media[0]={…}`)."""
    entries: list[tuple[int, str]] = []
    for key, values in ctx.params.values.items():
        match = _ATTACHED_MEDIA_KEY.match(key)
        if match is not None:
            entries += [(int(match.group(1) or 0), value) for value in values]
    photos: list[GraphPost] = []
    for index, raw in sorted(entries, key=lambda entry: entry[0]):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        items = value if isinstance(value, list) else [value]
        for item in items:
            fbid = str(item.get("media_fbid") or "") if isinstance(item, dict) else ""
            photo = next(
                (
                    p
                    for p in ctx.state.graph_posts.values()
                    if p.photo_id == fbid and p.kind == "photo"
                ),
                None,
            )
            if (
                photo is None
                or photo.page_id != page.id
                or photo.published
                or photo.attached_to is not None
                or photo.deleted_at is not None
            ):
                raise GraphError(
                    f"(#100) param attached_media[{index}] must be an object with a valid "
                    "media_fbid of an unpublished photo of this Page",
                    100,
                )
            photos.append(photo)
    return photos


def _find_post(state: SandboxState, node_id: str) -> GraphPost | None:
    post = state.graph_posts.get(node_id)
    if post is None:
        post = next((p for p in state.graph_posts.values() if p.photo_id == node_id), None)
    if post is None or post.deleted_at is not None:
        return None
    return post


def _container_status(state: SandboxState, container: IgContainer, *, poll: bool) -> str:
    if container.status_code == "PUBLISHED":
        return "PUBLISHED"
    if state.now() - container.created_at >= CONTAINER_TTL:
        container.status_code = "EXPIRED"
    if container.status_code == "IN_PROGRESS":
        if container.polls_left <= 0:
            container.status_code = "FINISHED"
        elif poll:
            container.polls_left -= 1
    return container.status_code


def _status_text(code: str) -> str:
    return {
        "IN_PROGRESS": "In Progress: Media is still being processed.",
        "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
        "PUBLISHED": "Published: Media has been successfully published.",
        "EXPIRED": "Expired: Media was not published within 24 hours.",
        "ERROR": "Error: Media upload has failed with error code 2207001.",
    }[code]


def _quota_usage(state: SandboxState, ig_id: str) -> int:
    since = state.now() - timedelta(seconds=QUOTA_DURATION)
    return sum(1 for m in state.ig_media.values() if m.ig_user_id == ig_id and m.created_at > since)


def _post_json(ctx: Ctx, post: GraphPost) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": post.id,
        "message": post.message,
        "created_time": fb_time(post.created_at),
        "permalink_url": f"{ctx.base}/posts/facebook/{post.id}",
        "is_published": post.published,
        "from": {"id": post.page_id, "name": ctx.state.graph_pages[post.page_id].name},
    }
    if post.link:
        data["link"] = post.link
    if post.image_url:
        data["full_picture"] = post.image_url
    attachments = [
        ctx.state.graph_posts[photo_id]
        for photo_id in post.attached_photo_ids
        if photo_id in ctx.state.graph_posts
    ]
    if attachments:
        data["attachments"] = {
            "data": [
                {
                    "type": "photo",
                    "media": {"image": {"src": photo.image_url}},
                    "target": {"id": photo.id},
                    "description": photo.alt_text,
                }
                for photo in attachments
            ]
        }
    return data


def _ig_media_json(ctx: Ctx, media: IgMedia) -> dict[str, Any]:
    return {
        "id": media.id,
        "caption": media.caption,
        "media_type": "CAROUSEL_ALBUM" if media.media_type == "CAROUSEL" else media.media_type,
        "media_url": media.media_url,
        "permalink": f"{ctx.base}/posts/instagram/{media.id}",
        "timestamp": fb_time(media.created_at),
        "username": ctx.state.ig_users.get(media.ig_user_id, ""),
        "alt_text": media.alt_text,
    }


_UNFETCHABLE = (".example", ".test", ".invalid", ".localhost")
JPEG_MAGIC = b"\xff\xd8\xff"


async def _fetches_as_jpeg(url: str) -> bool:
    """Like Instagram: download the image and accept only JPEG bytes. A URL the sandbox cannot
    download (nothing listening, reserved names of RFC 2606 such as ``cdn.example`` that the
    connector tests use) gets the extension check only."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host.endswith(_UNFETCHABLE):
        return True
    try:
        async with httpx.AsyncClient(timeout=10, follow_redirects=True) as client:
            response = await client.get(url)
    except (httpx.HTTPError, ValueError):
        return True
    if response.status_code != 200:
        return True
    return response.content[:3] == JPEG_MAGIC


def _fields(params: Params, default: str) -> list[str]:
    raw = params.get("fields") or default
    return [f.strip().split("{")[0].split(".")[0] for f in raw.split(",") if f.strip()]


def _pick(data: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k == "id" or k in fields}


def _int(value: str | None, default: int, maximum: int) -> int:
    try:
        return max(1, min(maximum, int(value))) if value else default
    except ValueError:
        return default


def _parse_time(value: str) -> datetime:
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("+0000", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def usage_headers(
    sandbox: Sandbox, request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Adds `X-App-Usage` (always) and `X-Business-Use-Case-Usage` (when a Page/IG was charged)."""
    try:
        response = await call_next(request)
    except GraphError as exc:
        response = JSONResponse(exc.body(sandbox.state.fbtrace_id()), status_code=exc.status)
    state = sandbox.state
    app = state.window(
        "graph:app", state.config.graph_app_calls_per_window, state.config.graph_rate_window_seconds
    )
    pct = app.percent()
    response.headers["X-App-Usage"] = json.dumps(
        {"call_count": pct, "total_time": pct, "total_cputime": pct}
    )
    buc: tuple[str, str, Window] | None = getattr(request.state, "buc", None)
    if buc is not None:
        object_id, kind, window = buc
        pct = window.percent()
        regain = 0
        if window.used >= window.limit:
            regain = math.ceil((window.reset_at - state.now()).total_seconds() / 60)
        response.headers["X-Business-Use-Case-Usage"] = json.dumps(
            {
                object_id: [
                    {
                        "type": kind,
                        "call_count": pct,
                        "total_cputime": pct,
                        "total_time": pct,
                        "estimated_time_to_regain_access": regain,
                    }
                ]
            }
        )
    return response
