from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from app.auth.dependencies import AuthServiceDep
from app.auth.schemas import (
    LoginRequest,
    LogoutRequest,
    PasswordResetRequest,
    RefreshRequest,
    TokenPair,
)
from app.auth.service import IssuedTokens
from app.auth.subject import client_ip
from app.kit.db import DbSession
from app.kit.errors import Forbidden, RateLimited, Unauthorized, Unprocessable

router = APIRouter(prefix="/auth", tags=["auth"])

WEB_CLIENT = "web"
CLIENT_HEADER = "X-Klinikfunk-Client"
ClientHeader = Annotated[
    str | None,
    Header(
        alias=CLIENT_HEADER,
        description="`web` for the browser app: the refresh token travels in an httpOnly cookie.",
    ),
]


def cookie_name(request: Request) -> str:
    return (
        "__Host-klinikfunk_refresh"
        if request.app.state.settings.cookie_secure
        else "klinikfunk_refresh"
    )


def _check_browser_origin(request: Request, client: str | None) -> None:
    """CSRF guard for cookie-authenticated calls (SEC-28): custom header and same origin."""
    if client != WEB_CLIENT:
        raise Forbidden(f"Cookie sign-in requires the {CLIENT_HEADER}: web header.")
    origin = request.headers.get("origin")
    if origin is None:
        return
    allowed = {str(request.base_url).rstrip("/"), *request.app.state.settings.cors_origins}
    if origin.rstrip("/") not in allowed:
        raise Forbidden("Cross-origin requests may not use the sign-in cookie.")


def _respond(
    request: Request, response: Response, issued: IssuedTokens, client: str | None
) -> TokenPair:
    refresh_token: str | None = issued.refresh_token
    if client == WEB_CLIENT:
        settings = request.app.state.settings
        response.set_cookie(
            cookie_name(request),
            issued.refresh_token,
            max_age=int(
                (issued.session.absolute_expires_at - issued.session.created_at).total_seconds()
            ),
            path="/",
            secure=settings.cookie_secure,
            httponly=True,
            samesite="strict",
        )
        refresh_token = None
    return TokenPair(
        access_token=issued.access_token, expires_in=issued.expires_in, refresh_token=refresh_token
    )


@router.post(
    "/login",
    response_model=TokenPair,
    responses={401: Unauthorized.doc(), 403: Forbidden.doc(), 429: RateLimited.doc()},
)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: DbSession,
    auth: AuthServiceDep,
    client: ClientHeader = None,
) -> TokenPair:
    """Sign in with e-mail and password. Access tokens live 15 minutes; refresh tokens are
    single-use. Repeated failures are slowed, then locked for a while (429 + Retry-After)."""
    if client == WEB_CLIENT:
        _check_browser_origin(request, client)
    issued = await auth.login(
        session, body.email, body.password, ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )  # fmt: skip
    return _respond(request, response, issued, client)


def _refresh_secret(request: Request, body_token: str | None, client: str | None) -> str | None:
    if body_token is not None:
        return body_token
    cookie = request.cookies.get(cookie_name(request))
    if cookie is not None:
        _check_browser_origin(request, client)
    return cookie


@router.post(
    "/refresh",
    response_model=TokenPair,
    responses={401: Unauthorized.doc(), 403: Forbidden.doc()},
)
async def refresh(
    request: Request,
    response: Response,
    session: DbSession,
    auth: AuthServiceDep,
    body: RefreshRequest | None = None,
    client: ClientHeader = None,
) -> TokenPair:
    """Exchange a refresh token (body, or the web client's cookie) for a new pair. Each refresh
    token works once; presenting a used one ends the whole session."""
    secret = _refresh_secret(request, body.refresh_token if body else None, client)
    if not secret:
        raise Unauthorized("No refresh token: sign in again.")
    issued = await auth.refresh(session, secret, ip=client_ip(request))
    return _respond(request, response, issued, client)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={403: Forbidden.doc()},
)
async def logout(
    request: Request,
    session: DbSession,
    auth: AuthServiceDep,
    body: LogoutRequest | None = None,
    client: ClientHeader = None,
) -> Response:
    """End the session of the given refresh token (body or cookie). Always answers 204."""
    secret = _refresh_secret(request, body.refresh_token if body else None, client)
    await auth.logout(session, secret, session_id=None)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(
        cookie_name(request),
        path="/",
        secure=request.app.state.settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    return response


@router.post(
    "/password-reset",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={422: Unprocessable.doc()},
)
async def reset_password(
    body: PasswordResetRequest, request: Request, session: DbSession, auth: AuthServiceDep
) -> Response:
    """Set a new password with the one-time link an administrator created. Ends all sessions."""
    await auth.reset_password(session, body.token, body.new_password, ip=client_ip(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
