"""LinkedIn personality (organization pages: Posts API, Images API, organizationAcls), under
`/linkedin` (that prefix plays both `www.linkedin.com` and `api.linkedin.com`).

Paths, headers and payloads follow platforms.md §4: every `/rest/…` call needs
`LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0`; a created post's URN comes in
the `x-restli-id` header; errors are `{"status", "serviceErrorCode"?, "code", "message"}` (422s
with `errorDetails.inputErrors`); 401 for expired/revoked tokens; 429 without any rate-limit
header once a daily (UTC) budget is used up; an identical commentary by the same author within
`linkedin_duplicate_window_seconds` is refused with 422 `DUPLICATE_POST` naming the existing
URN. Commentary is parsed as "little" text: an unescaped reserved character silently cuts the
visible text there, as LinkedIn does."""

from __future__ import annotations

import json
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
    LinkedInImage,
    LinkedInMember,
    LinkedInPost,
    Sandbox,
    SandboxState,
    Token,
)
from sandbox.urls import public_base, route_path

PREFIX = "/linkedin"
COMMENTARY_MAX = 3000
MULTI_IMAGE_MAX = 20
RESERVED = set("\\|{}@[]()<>#*_~")
POSTING_ROLES = frozenset(
    {"ADMINISTRATOR", "CONTENT_ADMINISTRATOR", "DIRECT_SPONSORED_CONTENT_POSTER"}
)
VERSION_RE = re.compile(r"^20\d{4}(\.\d{2})?$")
MENTION_RE = re.compile(r"@\[([^\]\\]*)\]\((urn:li:(?:person|organization):[\w-]+)\)")
HASHTAG_RE = re.compile(r"#\w")
SCOPE_WRITE = "w_organization_social"
SCOPE_READ = "r_organization_social"
SCOPE_ADMIN = "rw_organization_admin"


class LinkedInError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        service_code: int | None = None,
        input_errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.service_code = service_code
        self.input_errors = input_errors

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.code:
            body["code"] = self.code
        if self.service_code is not None:
            body["serviceErrorCode"] = self.service_code
        if self.input_errors is not None:
            body["errorDetailType"] = "com.linkedin.common.error.BadRequest"
            body["errorDetails"] = {"inputErrors": self.input_errors}
        return JSONResponse(body, status_code=self.status)


class OAuthError(Exception):
    """`/oauth/v2/*` errors use the OAuth shape `{"error", "error_description"}`."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"error": self.error, "error_description": self.description}, status_code=self.status
        )


def input_error(status: int, message: str, code: str, field: str) -> LinkedInError:
    return LinkedInError(
        status,
        message,
        input_errors=[
            {
                "description": message,
                "input": {"inputPath": {"fieldPath": field}},
                "code": code,
            }
        ],
    )


def render_little(commentary: str) -> str:
    """The text readers see: escapes resolved, mentions shown by name, `#tag` kept; at the
    first other unescaped reserved character the text silently ends."""
    out: list[str] = []
    index = 0
    while index < len(commentary):
        char = commentary[index]
        if char == "\\" and index + 1 < len(commentary):
            out.append(commentary[index + 1])
            index += 2
            continue
        if char == "#" and HASHTAG_RE.match(commentary, index):
            out.append(char)
            index += 1
            continue
        if char == "@":
            mention = MENTION_RE.match(commentary, index)
            if mention is not None:
                out.append(mention.group(1))
                index = mention.end()
                continue
        if char in RESERVED:
            break
        out.append(char)
        index += 1
    return "".join(out)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def next_midnight(moment: datetime) -> datetime:
    return datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), moment.tzinfo)


def post_json(post: LinkedInPost) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": post.urn,
        "author": post.author,
        "commentary": post.commentary,
        "visibility": post.visibility,
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": post.lifecycle_state,
        "isReshareDisabledByAuthor": False,
        "createdAt": ms(post.created_at),
        "publishedAt": ms(post.created_at),
        "lastModifiedAt": ms(post.created_at),
        "lifecycleStateInfo": {"isEditedByAuthor": False},
    }
    if post.content:
        data["content"] = post.content
    return data


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def authenticate(state: SandboxState, request: Request) -> tuple[Token, LinkedInMember]:
    token = state.tokens.get(_bearer(request))
    if token is None or token.kind != "linkedin":
        raise LinkedInError(
            401, "Invalid access token", code="INVALID_ACCESS_TOKEN", service_code=65600
        )
    problem = token.problem(state.now())
    if problem == "expired":
        raise LinkedInError(
            401,
            "The token used in the request has expired",
            code="EXPIRED_ACCESS_TOKEN",
            service_code=65601,
        )
    if problem == "revoked":
        raise LinkedInError(
            401,
            "The token used in the request has been revoked by the user",
            code="REVOKED_ACCESS_TOKEN",
            service_code=65602,
        )
    member = state.linkedin_members.get(token.subject_id)
    if member is None:
        raise LinkedInError(
            401, "Invalid access token", code="INVALID_ACCESS_TOKEN", service_code=65600
        )
    return token, member


def check_versioned(request: Request) -> None:
    version = request.headers.get("linkedin-version")
    if not version:
        raise LinkedInError(
            400,
            "A version must be present. Please specify a version by adding the LinkedIn-Version "
            "header.",
            code="VERSION_MISSING",
        )
    if not VERSION_RE.match(version):
        raise LinkedInError(
            426, f"Requested version {version} is not active", code="NONEXISTENT_VERSION"
        )
    if request.headers.get("x-restli-protocol-version") != "2.0.0":
        raise LinkedInError(
            400,
            "Invalid query parameters passed to request: send X-Restli-Protocol-Version: 2.0.0",
            code="ILLEGAL_ARGUMENT",
        )


def require_scope(token: Token, scope: str) -> None:
    if scope not in token.scopes:
        raise LinkedInError(
            403,
            f"Not enough permissions to access this resource (needs {scope})",
            code="ACCESS_DENIED",
            service_code=100,
        )


def organization_id(urn: str) -> str | None:
    prefix = "urn:li:organization:"
    return urn[len(prefix) :] if urn.startswith(prefix) else None


def require_poster(state: SandboxState, member: LinkedInMember, author: str) -> None:
    org_id = organization_id(author)
    if org_id is None or org_id not in state.linkedin_organizations:
        raise input_error(
            422, f"Author {author} is not a valid organization", "INVALID_URN", "/author"
        )
    if member.roles.get(org_id) not in POSTING_ROLES:
        raise LinkedInError(
            403,
            f"Member is not an administrator of {author}: not enough permissions to post",
            code="ACCESS_DENIED",
            service_code=100,
        )


def router(sandbox: Sandbox) -> APIRouter:
    api = APIRouter(prefix=PREFIX, include_in_schema=False)

    def st() -> SandboxState:
        return sandbox.state

    # ---------- OAuth 2 (www.linkedin.com/oauth/v2) ----------

    @api.get("/oauth/v2/authorization")
    async def authorization(request: Request) -> Response:
        """Auto-consent: the first member (or `sandbox_member=<id>`) grants the requested scopes."""
        q = request.query_params
        redirect_uri = q.get("redirect_uri")
        if q.get("client_id") != st().config.linkedin_client_id or not redirect_uri:
            return HTMLResponse("<h1>Ungültige Client-ID oder Weiterleitungs-URI</h1>", 400)
        if q.get("response_type") != "code":
            return HTMLResponse("<h1>response_type muss code sein</h1>", 400)
        wanted = q.get("sandbox_member")
        member = next(
            (m for m in st().linkedin_members.values() if wanted is None or m.id == wanted), None
        )
        if member is None:
            return HTMLResponse("<h1>Kein Mitglied</h1>", 400)
        code = AuthCode(
            code="AQT" + secrets.token_urlsafe(32),
            client_id=st().config.linkedin_client_id,
            redirect_uri=redirect_uri,
            subject_id=member.id,
            scopes=(q.get("scope") or "").replace(",", " ").split(),
            code_challenge=None,
        )
        st().auth_codes[code.code] = code
        return redirect_with_code(redirect_uri, code.code, q.get("state"))

    @api.post("/oauth/v2/accessToken")
    async def access_token(request: Request) -> Response:
        state = st()
        params = await read_params(request)
        try:
            if (
                params.get("client_id") != state.config.linkedin_client_id
                or params.get("client_secret") != state.config.linkedin_client_secret
            ):
                raise OAuthError(401, "invalid_client", "Client authentication failed")
            grant = params.get("grant_type")
            if grant == "authorization_code":
                code = state.auth_codes.get(params.get("code") or "")
                if (
                    code is None
                    or code.used
                    or code.client_id != state.config.linkedin_client_id
                    or code.redirect_uri != params.get("redirect_uri")
                ):
                    raise OAuthError(
                        400,
                        "invalid_request",
                        "Unable to retrieve access token: appid/redirect uri/code verifier does "
                        "not match authorization code. Or authorization code expired.",
                    )
                code.used = True
                access, refresh = state.issue_linkedin_tokens(code.subject_id, code.scopes)
            elif grant == "refresh_token":
                old = state.tokens.get(params.get("refresh_token") or "")
                if (
                    old is None
                    or old.kind != "linkedin_refresh"
                    or old.problem(state.now()) is not None
                ):
                    raise OAuthError(
                        400,
                        "invalid_request",
                        "The provided authorization grant or refresh token is invalid, expired "
                        "or revoked.",
                    )
                access = state.issue_token(
                    "linkedin",
                    old.subject_id,
                    state.config.linkedin_access_token_seconds,
                    old.scopes,
                )
                refresh = old  # the refresh token stays; its expiry is not extended
            else:
                raise OAuthError(400, "unsupported_grant_type", "Unsupported grant type")
        except OAuthError as exc:
            return exc.response()
        now = state.now()
        assert access.expires_at is not None
        assert refresh.expires_at is not None
        return JSONResponse(
            {
                "access_token": access.value,
                "expires_in": round((access.expires_at - now).total_seconds()),
                "refresh_token": refresh.value,
                "refresh_token_expires_in": round((refresh.expires_at - now).total_seconds()),
                "scope": ",".join(access.scopes),
            }
        )

    # ---------- organizations ----------

    @api.get("/rest/organizationAcls")
    async def organization_acls(request: Request) -> Response:
        state = st()
        token, member = authenticate(state, request)
        q = request.query_params
        if q.get("q") != "roleAssignee":
            raise LinkedInError(400, "Invalid finder: use q=roleAssignee", code="ILLEGAL_ARGUMENT")
        require_scope(token, SCOPE_ADMIN)
        wanted_role = q.get("role")
        wanted_state = q.get("state", "APPROVED")
        elements = [
            {
                "roleAssignee": f"urn:li:person:{member.id}",
                "state": "APPROVED",
                "role": role,
                "organization": state.linkedin_organizations[org_id].urn,
            }
            for org_id, role in member.roles.items()
            if (wanted_role is None or role == wanted_role) and wanted_state == "APPROVED"
        ]
        start = int(q.get("start", "0"))
        count = int(q.get("count", "10"))
        page = elements[start : start + count]
        return JSONResponse(
            {"paging": {"start": start, "count": count, "links": [], "total": len(elements)},
             "elements": page}
        )  # fmt: skip

    @api.get("/rest/organizations/{org_id}")
    async def organization(org_id: str, request: Request) -> Response:
        authenticate(st(), request)
        org = st().linkedin_organizations.get(org_id)
        if org is None:
            raise LinkedInError(404, f"Organization {org_id} not found", code="NOT_FOUND")
        return JSONResponse(
            {
                "id": int(org.id),
                "$URN": org.urn,
                "localizedName": org.name,
                "vanityName": org.vanity_name,
                "name": {
                    "localized": {"de_DE": org.name},
                    "preferredLocale": {"country": "DE", "language": "de"},
                },
            }
        )

    # ---------- images ----------

    @api.post("/rest/images")
    async def images_action(request: Request) -> Response:
        state = st()
        token, member = authenticate(state, request)
        if request.query_params.get("action") != "initializeUpload":
            raise LinkedInError(400, "Unsupported action", code="ILLEGAL_ARGUMENT")
        require_scope(token, SCOPE_WRITE)
        body = (await json_body(request)).get("initializeUploadRequest")
        owner = str(body.get("owner") or "") if isinstance(body, dict) else ""
        require_poster(state, member, owner)
        image = LinkedInImage(
            urn=f"urn:li:image:D4E{secrets.token_hex(10)}",
            owner=owner,
            upload_token=secrets.token_urlsafe(16),
            created_at=state.now(),
        )
        state.linkedin_images[image.urn] = image
        return JSONResponse(
            {
                "value": {
                    "uploadUrlExpiresAt": ms(state.now() + timedelta(hours=1)),
                    "uploadUrl": f"{public_base(request)}{PREFIX}/dms-uploads/{image.upload_token}",
                    "image": image.urn,
                }
            }
        )

    @api.put("/dms-uploads/{upload_token}")
    async def upload(upload_token: str, request: Request) -> Response:
        state = st()
        authenticate(state, request)
        image = next(
            (i for i in state.linkedin_images.values() if i.upload_token == upload_token), None
        )
        if image is None or image.status != "WAITING_UPLOAD":
            raise LinkedInError(400, "Upload URL is invalid or was used", code="ILLEGAL_ARGUMENT")
        data = await request.body()
        if not data:
            raise LinkedInError(400, "Empty upload", code="ILLEGAL_ARGUMENT")
        image.size = len(data)
        image.content_type = request.headers.get("content-type")
        polls = state.config.linkedin_image_polls_processing
        image.status = "PROCESSING" if polls > 0 else "AVAILABLE"
        image.polls_left = polls
        return Response(status_code=201)

    @api.get("/rest/images/{image_urn}")
    async def get_image(image_urn: str, request: Request) -> Response:
        state = st()
        authenticate(state, request)
        image = state.linkedin_images.get(image_urn)
        if image is None:
            raise LinkedInError(404, f"Image {image_urn} not found", code="NOT_FOUND")
        if image.status == "PROCESSING":
            if image.polls_left <= 0:
                image.status = "AVAILABLE"
            image.polls_left -= 1
        data: dict[str, Any] = {"id": image.urn, "owner": image.owner, "status": image.status}
        if image.status == "AVAILABLE":
            data["downloadUrl"] = f"{public_base(request)}{PREFIX}/media/{image.urn}"
        return JSONResponse(data)

    # ---------- posts ----------

    @api.post("/rest/posts")
    async def create_post(request: Request) -> Response:
        state = st()
        token, member = authenticate(state, request)
        require_scope(token, SCOPE_WRITE)
        body = await json_body(request)
        author = str(body.get("author") or "")
        require_poster(state, member, author)
        commentary = body.get("commentary", "")
        if not isinstance(commentary, str):
            raise input_error(422, "commentary must be a string", "INVALID_TYPE", "/commentary")
        if len(commentary) > COMMENTARY_MAX:
            raise input_error(
                422,
                f"/commentary: length {len(commentary)} exceeds the maximum of {COMMENTARY_MAX}",
                "MAX_LENGTH_EXCEEDED",
                "/commentary",
            )
        visibility = body.get("visibility")
        if visibility not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN"):
            raise input_error(422, "visibility is required", "FIELD_VALUE_INVALID", "/visibility")
        lifecycle = body.get("lifecycleState", "PUBLISHED")
        if lifecycle not in ("PUBLISHED", "DRAFT"):
            raise input_error(
                422, "invalid lifecycleState", "FIELD_VALUE_INVALID", "/lifecycleState"
            )
        if not isinstance(body.get("distribution"), dict):
            raise input_error(
                422, "distribution is required", "FIELD_VALUE_INVALID", "/distribution"
            )
        content = body.get("content")
        images = _content_images(content)
        for urn in images:
            image = state.linkedin_images.get(urn)
            if image is None or image.owner != author or image.used_by is not None:
                raise input_error(422, f"Image {urn} is invalid", "INVALID_CONTENT", "/content")
            if image.status != "AVAILABLE":
                raise input_error(
                    422, f"Image {urn} is not AVAILABLE yet", "MEDIA_NOT_READY", "/content"
                )
        if not commentary.strip() and not images:
            raise input_error(
                422, "commentary or content is required", "FIELD_VALUE_INVALID", "/commentary"
            )
        now = state.now()
        window = timedelta(seconds=state.config.linkedin_duplicate_window_seconds)
        for existing in state.linkedin_posts.values():
            if (
                existing.author == author
                and existing.deleted_at is None
                and existing.commentary == commentary
                and commentary.strip()
                and now - existing.created_at < window
            ):
                raise LinkedInError(
                    422,
                    f"Content is a duplicate of {existing.urn}",
                    input_errors=[
                        {
                            "description": "Duplicate post is detected",
                            "input": {},
                            "code": "DUPLICATE_POST",
                        }
                    ],
                )
        daily = state.window(
            f"linkedin:posts:{member.id}:{now.date().isoformat()}",
            state.config.linkedin_posts_per_day,
            86_400,
        )
        if daily.used >= daily.limit:
            raise throttled("MEMBER")
        daily.used += 1
        post = LinkedInPost(
            urn=f"urn:li:share:{state.linkedin_id()}",
            author=author,
            commentary=commentary,
            text=render_little(commentary),
            visibility=visibility,
            lifecycle_state=lifecycle,
            content=content if isinstance(content, dict) else None,
            created_at=now,
            member_id=member.id,
        )
        state.linkedin_posts[post.urn] = post
        for urn in images:
            state.linkedin_images[urn].used_by = post.urn
        return Response(
            status_code=201, headers={"x-restli-id": post.urn, "x-linkedin-id": post.urn}
        )

    def visible_post(urn: str) -> LinkedInPost:
        post = st().linkedin_posts.get(urn)
        if post is None or post.deleted_at is not None:
            raise LinkedInError(404, f"Post {urn} not found", code="NOT_FOUND", service_code=100)
        return post

    @api.get("/rest/posts/{post_urn}")
    async def get_post(post_urn: str, request: Request) -> Response:
        token, _ = authenticate(st(), request)
        require_scope(token, SCOPE_READ)
        return JSONResponse(post_json(visible_post(post_urn)))

    @api.get("/rest/posts")
    async def find_posts(request: Request) -> Response:
        state = st()
        token, member = authenticate(state, request)
        q = request.query_params
        if q.get("q") != "author" or not q.get("author"):
            raise LinkedInError(
                400, "Invalid finder: use q=author&author=<urn>", code="ILLEGAL_ARGUMENT"
            )
        require_scope(token, SCOPE_READ)
        author = q["author"]
        org_id = organization_id(author)
        if org_id is None or org_id not in member.roles:
            raise LinkedInError(
                403,
                "Not enough permissions to read this author's posts",
                code="ACCESS_DENIED",
                service_code=100,
            )
        try:
            start = max(0, int(q.get("start", "0")))
            count = max(1, min(100, int(q.get("count", "10"))))
        except ValueError:
            raise LinkedInError(
                400, "start/count must be numbers", code="ILLEGAL_ARGUMENT"
            ) from None
        posts = sorted(
            (
                p
                for p in state.linkedin_posts.values()
                if p.author == author and p.deleted_at is None
            ),
            key=lambda p: (p.created_at, p.urn),
            reverse=True,
        )
        page = posts[start : start + count]
        return JSONResponse(
            {
                "paging": {"start": start, "count": count, "links": [], "total": len(posts)},
                "elements": [post_json(p) for p in page],
            }
        )

    @api.delete("/rest/posts/{post_urn}")
    async def delete_post(post_urn: str, request: Request) -> Response:
        state = st()
        token, member = authenticate(state, request)
        require_scope(token, SCOPE_WRITE)
        try:
            post = visible_post(post_urn)
        except LinkedInError:
            state.delete_calls.append(
                DeleteCall("linkedin", post_urn, None, deleted=False, at=state.now())
            )
            raise
        require_poster(state, member, post.author)
        post.deleted_at = state.now()
        state.delete_calls.append(
            DeleteCall("linkedin", post_urn, post.author, deleted=True, at=state.now())
        )
        return Response(status_code=204)

    return api


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise LinkedInError(400, "Request body is not JSON", code="ILLEGAL_ARGUMENT") from None
    if not isinstance(body, dict):
        raise LinkedInError(400, "Request body is not an object", code="ILLEGAL_ARGUMENT")
    return body


def throttled(scope: str) -> LinkedInError:
    return LinkedInError(
        429,
        f"Resource level throttle {scope} DAY limit for calls to this resource is reached.",
        code="TOO_MANY_REQUESTS",
        service_code=101,
    )


def _content_images(content: Any) -> list[str]:
    if not isinstance(content, dict):
        return []
    media = content.get("media")
    if isinstance(media, dict) and isinstance(media.get("id"), str):
        return [media["id"]] if media["id"].startswith("urn:li:image:") else []
    multi = content.get("multiImage")
    if isinstance(multi, dict) and isinstance(multi.get("images"), list):
        ids = [i.get("id") for i in multi["images"] if isinstance(i, dict)]
        if len(ids) < 2 or len(ids) > MULTI_IMAGE_MAX or not all(isinstance(i, str) for i in ids):
            raise input_error(
                422,
                f"multiImage needs 2 to {MULTI_IMAGE_MAX} images",
                "FIELD_VALUE_INVALID",
                "/content/multiImage",
            )
        return [str(i) for i in ids]
    return []


async def daily_limits(
    sandbox: Sandbox, request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Versioned-API checks and the daily (UTC) app and member call budgets: once used up,
    429 without any rate-limit header until 00:00 UTC, as LinkedIn does."""
    state = sandbox.state
    path = route_path(request.scope)
    try:
        if path.startswith(PREFIX + "/rest/"):
            check_versioned(request)
            now = state.now()
            day = now.date().isoformat()
            seconds = int((next_midnight(now) - now).total_seconds()) or 1
            app = state.window(
                f"linkedin:app:{day}", state.config.linkedin_app_calls_per_day, seconds
            )
            token = state.tokens.get(_bearer(request))
            member = state.window(
                f"linkedin:member:{token.subject_id if token else '?'}:{day}",
                state.config.linkedin_member_calls_per_day,
                seconds,
            )
            if app.used >= app.limit:
                raise throttled("APPLICATION")
            if member.used >= member.limit:
                raise throttled("MEMBER")
            app.used += 1
            member.used += 1
        return await call_next(request)
    except LinkedInError as exc:
        return exc.response()
