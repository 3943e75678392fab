"""Mastodon personality, mounted under `/mastodon` (that prefix plays the instance host).

Paths, payloads and errors follow the Mastodon API docs (platforms.md §5): `{"error": "..."}`
bodies, 401 for bad tokens, 422 for validation, 429 + `X-RateLimit-*` (ISO reset) on every
response, `Idempotency-Key` honoured for one hour of virtual time."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from sandbox.oauth import redirect_with_code
from sandbox.params import read_params
from sandbox.state import (
    AuthCode,
    DeleteCall,
    MastodonAccount,
    MastodonApp,
    MastodonMedia,
    MastodonStatus,
    Sandbox,
    SandboxState,
    Token,
)
from sandbox.urls import public_base

PREFIX = "/mastodon"
IDEMPOTENCY_TTL = timedelta(hours=1)
URL_RE = re.compile(r"https?://\S+")
OOB = "urn:ietf:wg:oauth:2.0:oob"


class MastodonError(Exception):
    def __init__(self, status: int, error: str, description: str | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> JSONResponse:
        body: dict[str, str] = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return JSONResponse(body, status_code=self.status)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def text_length(text: str) -> int:
    """Mastodon counts characters, every URL as 23 (`characters_reserved_per_url`)."""
    return len(URL_RE.sub("x" * 23, text))


LINK_RE = re.compile(r"https?://[^\s<>\"]+")
HASHTAG_RE = re.compile(r"(?<![\w&/#])#(\w*[^\W\d_]\w*)")
MENTION_RE = re.compile(r"(?<![/\w])@(\w+)@([\w.\-]+\w)")
TRAILING = ".,:;!?)]}'\""
DISPLAY_URL_LENGTH = 30


def _link(url: str) -> str:
    """A URL the way Mastodon renders it: scheme (and `www.`) invisible, long URLs cut after
    30 characters into an `ellipsis` span with the rest invisible."""
    scheme, _, rest = url.partition("://")
    prefix = f"{scheme}://"
    if rest.startswith("www."):
        prefix, rest = prefix + "www.", rest[4:]
    shown, hidden = rest[:DISPLAY_URL_LENGTH], rest[DISPLAY_URL_LENGTH:]
    css = "ellipsis" if hidden else ""
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" translate="no">'
        f'<span class="invisible">{html.escape(prefix)}</span>'
        f'<span class="{css}">{html.escape(shown)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )


def _plain(text: str, instance: str) -> str:
    def tag(match: re.Match[str]) -> str:
        name = match.group(1)
        return (
            f'<a href="{instance}/tags/{name.lower()}" class="mention hashtag" rel="tag">'
            f"#<span>{name}</span></a>"
        )

    def mention(match: re.Match[str]) -> str:
        user, domain = match.group(1), match.group(2)
        return (
            f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}" '
            f'class="u-url mention">@<span>{user}</span></a></span>'
        )

    return MENTION_RE.sub(mention, HASHTAG_RE.sub(tag, html.escape(text, quote=False)))


def render_content(text: str, instance: str) -> str:
    """Status text → Mastodon's HTML: paragraphs on blank lines, `<br />` for single line
    breaks, links, hashtags and remote mentions as anchors. A mention `@user@domain` shows
    only `@user`, as on a real instance that resolved the account."""
    rendered: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if not paragraph.strip():
            continue
        lines = []
        for line in paragraph.split("\n"):
            parts: list[str] = []
            position = 0
            for match in LINK_RE.finditer(line):
                url = match.group(0).rstrip(TRAILING)
                parts.append(_plain(line[position : match.start()], instance))
                parts.append(_link(url))
                position = match.start() + len(url)
            parts.append(_plain(line[position:], instance))
            lines.append("".join(parts))
        rendered.append(f"<p>{'<br />'.join(lines)}</p>")
    return "".join(rendered)


def base_url(request: Request) -> str:
    return public_base(request)


def authenticate(state: SandboxState, request: Request) -> tuple[Token, MastodonAccount]:
    header = request.headers.get("authorization", "")
    value = header[7:].strip() if header.lower().startswith("bearer ") else ""
    token = state.tokens.get(value)
    if token is None or token.kind != "mastodon" or token.problem(state.now()) is not None:
        raise MastodonError(401, "The access token is invalid")
    return token, state.mastodon_accounts[token.subject_id]


def account_json(state: SandboxState, account: MastodonAccount, base: str) -> dict[str, Any]:
    statuses = [
        s
        for s in state.mastodon_statuses.values()
        if s.account_id == account.id and s.deleted_at is None
    ]
    last = max((s.created_at for s in statuses), default=None)
    return {
        "id": account.id,
        "username": account.username,
        "acct": account.username,
        "display_name": account.display_name,
        "locked": False,
        "bot": False,
        "created_at": iso(account.created_at),
        "note": "",
        "url": f"{base}{PREFIX}/@{account.username}",
        "avatar": f"{base}/static/avatar.png",
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": len(statuses),
        "last_status_at": last.date().isoformat() if last else None,
        "emojis": [],
        "fields": [],
    }


def media_json(state: SandboxState, media: MastodonMedia, base: str) -> dict[str, Any]:
    ready = state.now() >= media.ready_at
    extension = media.content_type.rsplit("/", 1)[-1]
    return {
        "id": media.id,
        "type": media.type,
        "url": f"{base}{PREFIX}/system/media/{media.id}.{extension}" if ready else None,
        "preview_url": f"{base}{PREFIX}/system/media/{media.id}_small.jpg",
        "remote_url": None,
        "text_url": None,
        "meta": {},
        "description": media.description,
        "blurhash": None,
    }


def status_json(
    state: SandboxState, status: MastodonStatus, base: str, *, source: bool = False
) -> dict[str, Any]:
    account = state.mastodon_accounts[status.account_id]
    paragraphs = render_content(status.text, f"{base}{PREFIX}")
    data: dict[str, Any] = {
        "id": status.id,
        "created_at": iso(status.created_at),
        "in_reply_to_id": status.in_reply_to_id,
        "in_reply_to_account_id": None,
        "sensitive": status.sensitive,
        "spoiler_text": status.spoiler_text,
        "visibility": status.visibility,
        "language": status.language,
        "uri": f"{base}{PREFIX}/users/{account.username}/statuses/{status.id}",
        "url": f"{base}/posts/mastodon/{status.id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "edited_at": None,
        "content": paragraphs,
        "reblog": None,
        "application": {"name": "Klinikfunk", "website": None},
        "account": account_json(state, account, base),
        "media_attachments": [
            media_json(state, state.mastodon_media[m], base) for m in status.media_ids
        ],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }
    if source:
        data["text"] = status.text
        data["content"] = ""
    return data


def router(sandbox: Sandbox) -> APIRouter:
    api = APIRouter(prefix=PREFIX, include_in_schema=False)

    def st() -> SandboxState:
        return sandbox.state

    @api.post("/api/v1/apps")
    async def create_app(request: Request) -> Response:
        params = await read_params(request)
        name = params.get("client_name")
        redirect_uris = params.getlist("redirect_uris")
        if not name or not redirect_uris:
            raise MastodonError(422, "Validation failed: Application name can't be blank")
        scopes = (params.get("scopes") or "read").split()
        app = MastodonApp(
            client_id=secrets.token_urlsafe(32),
            client_secret=secrets.token_urlsafe(32),
            name=name,
            redirect_uris=[u for item in redirect_uris for u in item.split()],
            scopes=scopes,
            website=params.get("website"),
        )
        st().mastodon_apps[app.client_id] = app
        return JSONResponse(
            {
                "id": str(st().next_id()),
                "name": app.name,
                "website": app.website,
                "scopes": app.scopes,
                "redirect_uris": app.redirect_uris,
                "redirect_uri": " ".join(app.redirect_uris),
                "vapid_key": "",
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "client_secret_expires_at": 0,
            }
        )

    @api.get("/oauth/authorize")
    async def authorize(request: Request) -> Response:
        """Auto-consent: the first account (or `sandbox_account=<username>`) approves at once."""
        q = request.query_params
        app = st().mastodon_apps.get(q.get("client_id", ""))
        redirect_uri = q.get("redirect_uri", "")
        if app is None or redirect_uri not in app.redirect_uris:
            return HTMLResponse(
                "<h1>Der Client ist unbekannt oder die Weiterleitungs-URI ist ungültig.</h1>",
                status_code=400,
            )
        username = q.get("sandbox_account")
        account = next(
            (
                a
                for a in st().mastodon_accounts.values()
                if username is None or a.username == username
            ),
            None,
        )
        if account is None:
            return HTMLResponse("<h1>Kein Konto</h1>", status_code=400)
        code = AuthCode(
            code=secrets.token_urlsafe(24),
            client_id=app.client_id,
            redirect_uri=redirect_uri,
            subject_id=account.id,
            scopes=(q.get("scope") or "read").split(),
            code_challenge=q.get("code_challenge"),
        )
        st().auth_codes[code.code] = code
        if redirect_uri == OOB:
            return HTMLResponse(f"<p>Autorisierungscode: <code>{code.code}</code></p>")
        return redirect_with_code(redirect_uri, code.code, q.get("state"))

    @api.post("/oauth/token")
    async def token(request: Request) -> Response:
        params = await read_params(request)
        app = st().mastodon_apps.get(params.get("client_id") or "")
        if app is None or app.client_secret != params.get("client_secret"):
            raise MastodonError(
                401,
                "invalid_client",
                "Client authentication failed due to unknown client, no client authentication "
                "included, or unsupported authentication method.",
            )
        grant = params.get("grant_type")
        if grant == "client_credentials":
            issued = st().issue_token("mastodon", "", scopes=app.scopes)
        elif grant == "authorization_code":
            code = st().auth_codes.get(params.get("code") or "")
            if (
                code is None
                or code.used
                or code.client_id != app.client_id
                or code.redirect_uri != params.get("redirect_uri")
                or not _pkce_ok(code.code_challenge, params.get("code_verifier"))
            ):
                raise MastodonError(
                    400,
                    "invalid_grant",
                    "The provided authorization grant is invalid, expired, revoked, does not "
                    "match the redirection URI used in the authorization request, or was "
                    "issued to another client.",
                )
            code.used = True
            issued = st().issue_token("mastodon", code.subject_id, scopes=code.scopes)
        else:
            raise MastodonError(400, "unsupported_grant_type")
        return JSONResponse(
            {
                "access_token": issued.value,
                "token_type": "Bearer",
                "scope": " ".join(issued.scopes),
                "created_at": int(issued.created_at.timestamp()),
            }
        )

    @api.post("/oauth/revoke")
    async def revoke(request: Request) -> Response:
        params = await read_params(request)
        issued = st().tokens.get(params.get("token") or "")
        if issued is not None and issued.kind == "mastodon":
            issued.revoked = True
        return JSONResponse({})

    @api.get("/api/v1/accounts/verify_credentials")
    async def verify_credentials(request: Request) -> Response:
        _, account = authenticate(st(), request)
        data = account_json(st(), account, base_url(request))
        data["source"] = {"privacy": "public", "sensitive": False, "language": "de", "note": ""}
        return JSONResponse(data)

    @api.get("/api/v2/instance")
    async def instance(request: Request) -> Response:
        return JSONResponse(
            {
                "domain": request.url.netloc,
                "title": "Klinikfunk Sandbox",
                "version": "4.5.0",
                "configuration": {
                    "urls": {"streaming": None},
                    "statuses": {
                        "max_characters": st().config.mastodon_max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                    "media_attachments": {
                        "supported_mime_types": ["image/jpeg", "image/png", "video/mp4"],
                        "description_limit": 1500,
                        "image_size_limit": 16_777_216,
                        "image_matrix_limit": 33_177_600,
                        "video_size_limit": 103_809_024,
                        "video_frame_rate_limit": 120,
                        "video_matrix_limit": 8_294_400,
                    },
                },
            }
        )

    @api.post("/api/v2/media")
    async def upload_media(request: Request) -> Response:
        _, account = authenticate(st(), request)
        params = await read_params(request)
        upload = params.files.get("file")
        if upload is None or not upload.data:
            raise MastodonError(422, "Validation failed: File can't be blank")
        major = upload.content_type.split("/")[0]
        kinds = {"image": "image", "video": "video", "audio": "audio"}
        if major not in kinds:
            raise MastodonError(
                422, f"Validation failed: File content type '{upload.content_type}' is invalid"
            )
        now = st().now()
        media = MastodonMedia(
            id=st().mastodon_id(),
            account_id=account.id,
            type="gifv" if upload.content_type == "image/gif" else kinds[major],
            content_type=upload.content_type,
            size=len(upload.data),
            description=params.get("description"),
            created_at=now,
            ready_at=now + timedelta(seconds=st().config.mastodon_media_processing_seconds),
        )
        st().mastodon_media[media.id] = media
        data = media_json(st(), media, base_url(request))
        return JSONResponse(data, status_code=200 if data["url"] else 202)

    @api.get("/api/v1/media/{media_id}")
    async def get_media(media_id: str, request: Request) -> Response:
        _, account = authenticate(st(), request)
        media = st().mastodon_media.get(media_id)
        if media is None or media.account_id != account.id:
            raise MastodonError(404, "Record not found")
        data = media_json(st(), media, base_url(request))
        return JSONResponse(data, status_code=200 if data["url"] else 206)

    @api.post("/api/v1/statuses")
    async def create_status(request: Request) -> Response:
        state = st()
        _, account = authenticate(state, request)
        params = await read_params(request)
        now = state.now()
        key = request.headers.get("idempotency-key")
        if key:
            seen = state.idempotency.get((account.id, key))
            if seen is not None and now - seen[1] < IDEMPOTENCY_TTL:
                existing = state.mastodon_statuses[seen[0]]
                return JSONResponse(status_json(state, existing, base_url(request)))
        text = params.get("status") or ""
        media_ids = params.getlist("media_ids")
        if not text.strip() and not media_ids:
            raise MastodonError(422, "Validation failed: Text can't be blank")
        if text_length(text) > state.config.mastodon_max_characters:
            raise MastodonError(
                422,
                "Validation failed: Text character limit of "
                f"{state.config.mastodon_max_characters} exceeded",
            )
        if len(media_ids) > 4:
            raise MastodonError(422, "Validation failed: Media attachments is invalid")
        for media_id in media_ids:
            media = state.mastodon_media.get(media_id)
            if media is None or media.account_id != account.id or media.attached_to:
                raise MastodonError(422, "Validation failed: Media attachments is invalid")
            if now < media.ready_at:
                raise MastodonError(
                    422, "Cannot attach files that have not finished processing. Try again!"
                )
        visibility = params.get("visibility") or "public"
        if visibility not in ("public", "unlisted", "private", "direct"):
            raise MastodonError(422, "Validation failed: Visibility is not included in the list")
        in_reply_to = params.get("in_reply_to_id")
        if in_reply_to and in_reply_to not in state.mastodon_statuses:
            raise MastodonError(404, "Record not found")
        status = MastodonStatus(
            id=state.mastodon_id(),
            account_id=account.id,
            text=text,
            visibility=visibility,
            sensitive=params.flag("sensitive", False),
            spoiler_text=params.get("spoiler_text") or "",
            language=params.get("language"),
            in_reply_to_id=in_reply_to or None,
            media_ids=media_ids,
            created_at=now,
            idempotency_key=key,
        )
        state.mastodon_statuses[status.id] = status
        for media_id in media_ids:
            state.mastodon_media[media_id].attached_to = status.id
        if key:
            state.idempotency[(account.id, key)] = (status.id, now)
        return JSONResponse(status_json(state, status, base_url(request)))

    def visible_status(status_id: str) -> MastodonStatus:
        status = st().mastodon_statuses.get(status_id)
        if status is None or status.deleted_at is not None:
            raise MastodonError(404, "Record not found")
        return status

    @api.get("/api/v1/statuses/{status_id}")
    async def get_status(status_id: str, request: Request) -> Response:
        if request.headers.get("authorization"):
            authenticate(st(), request)
        return JSONResponse(status_json(st(), visible_status(status_id), base_url(request)))

    @api.delete("/api/v1/statuses/{status_id}")
    async def delete_status(status_id: str, request: Request) -> Response:
        state = st()
        _, account = authenticate(state, request)
        status = state.mastodon_statuses.get(status_id)
        found = status is not None and status.deleted_at is None and status.account_id == account.id
        state.delete_calls.append(
            DeleteCall("mastodon", status_id, account.id, deleted=found, at=state.now())
        )
        if status is None or not found:
            raise MastodonError(404, "Record not found")
        status.deleted_at = state.now()
        return JSONResponse(status_json(st(), status, base_url(request), source=True))

    @api.get("/api/v1/accounts/{account_id}/statuses")
    async def account_statuses(account_id: str, request: Request) -> Response:
        state = st()
        if request.headers.get("authorization"):
            authenticate(state, request)
        if account_id not in state.mastodon_accounts:
            raise MastodonError(404, "Record not found")
        q = request.query_params
        try:
            limit = max(1, min(40, int(q.get("limit", "20"))))
        except ValueError:
            limit = 20
        statuses = sorted(
            (
                s
                for s in state.mastodon_statuses.values()
                if s.account_id == account_id and s.deleted_at is None
            ),
            key=lambda s: int(s.id),
            reverse=True,
        )
        if q.get("max_id"):
            statuses = [s for s in statuses if int(s.id) < int(q["max_id"])]
        if q.get("since_id"):
            statuses = [s for s in statuses if int(s.id) > int(q["since_id"])]
        if q.get("min_id"):
            statuses = [s for s in statuses if int(s.id) > int(q["min_id"])]
            statuses = statuses[-limit:]
        page = statuses[:limit]
        response = JSONResponse([status_json(state, s, base_url(request)) for s in page])
        if page:
            link = f"{base_url(request)}{PREFIX}/api/v1/accounts/{account_id}/statuses"
            response.headers["link"] = (
                f'<{link}?max_id={page[-1].id}>; rel="next", '
                f'<{link}?min_id={page[0].id}>; rel="prev"'
            )
        return response

    return api


def _pkce_ok(challenge: str | None, verifier: str | None) -> bool:
    if challenge is None:
        return True
    if not verifier:
        return False
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


async def rate_limit(
    sandbox: Sandbox, request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """300 requests / 5 min per account (per IP when unauthenticated), headers on every response."""
    state = sandbox.state
    header = request.headers.get("authorization", "")
    token = state.tokens.get(header[7:].strip()) if header.lower().startswith("bearer ") else None
    if token is not None and token.kind == "mastodon" and token.subject_id:
        key = f"mastodon:account:{token.subject_id}"
    else:
        key = f"mastodon:ip:{request.client.host if request.client else '?'}"
    window = state.window(
        key, state.config.mastodon_rate_limit, state.config.mastodon_rate_window_seconds
    )
    if window.remaining <= 0:
        response: Response = MastodonError(429, "Too many requests").response()
    else:
        window.used += 1
        try:
            response = await call_next(request)
        except MastodonError as exc:
            response = exc.response()
    response.headers["X-RateLimit-Limit"] = str(window.limit)
    response.headers["X-RateLimit-Remaining"] = str(window.remaining)
    response.headers["X-RateLimit-Reset"] = iso(window.reset_at)
    return response
