"""One error hierarchy, rendered as RFC 9457 problem details."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://klinikfunk.example/problems/"


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the invalid field, e.g. `body.email`.")
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


class AppError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    slug: ClassVar[str] = "internal"
    commit_anyway: ClassVar[bool] = False
    """Commit the transaction although the request fails (e.g. to record a failed login)."""

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}

    @classmethod
    def doc(cls) -> dict[str, Any]:
        return {
            "model": Problem,
            "description": cls.title,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }


class BadRequest(AppError):
    status = 400
    title = "Bad request"
    slug = "bad-request"


class Unauthorized(AppError):
    status = 401
    title = "Not authenticated"
    slug = "unauthorized"

    def __init__(self, detail: str = "Authentication required.", **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class Forbidden(AppError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(AppError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(AppError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class InvalidTransition(Conflict):
    title = "Invalid state transition"
    slug = "invalid-transition"


class Unprocessable(AppError):
    status = 422
    title = "Validation failed"
    slug = "validation"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors


class RateLimited(AppError):
    status = 429
    title = "Too many requests"
    slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


def field_error(field: str, message: str, type_: str = "value_error") -> Unprocessable:
    return Unprocessable(message, errors=[FieldError(field=field, message=message, type=type_)])


def problem_response(
    status: int,
    title: str,
    detail: str,
    slug: str,
    *,
    instance: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=PROBLEM_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
    ).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Not authenticated"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        delay = getattr(exc, "delay", 0.0)
        if delay:
            # Slow repeated failures down; the transaction is committed already.
            await asyncio.sleep(delay)
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            exc.slug,
            instance=request.url.path,
            errors=getattr(exc, "errors", None),
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(
                field=".".join(str(p) for p in err.get("loc", ())),
                message=str(err.get("msg", "invalid")),
                type=str(err.get("type", "value_error")),
            )
            for err in exc.errors()
        ]
        fields = ", ".join(e.field for e in errors) or "request"
        return problem_response(
            422,
            "Validation failed",
            f"The request is invalid: {fields}.",
            "validation",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            return problem_response(
                422,
                "Validation failed",
                "The request body is not valid JSON.",
                "validation",
                instance=request.url.path,
                errors=[FieldError(field="body", message="not valid JSON", type="json_invalid")],
            )
        slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404:
            detail = "No such resource."
        return problem_response(
            exc.status_code,
            title,
            detail,
            slug,
            instance=request.url.path,
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logging.getLogger("klinikfunk").exception("unhandled error on %s", request.url.path)
        return problem_response(
            500,
            "Internal error",
            "Something went wrong on our side. The request was not carried out.",
            "internal",
            instance=request.url.path,
        )
