from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.kit.schemas import InputSchema, Schema

Secret = Annotated[str, Field(min_length=1, max_length=1024)]


class LoginRequest(InputSchema):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Secret


class RefreshRequest(InputSchema):
    refresh_token: Secret | None = Field(
        default=None, description="Omit when the refresh token is in the browser cookie."
    )


class LogoutRequest(RefreshRequest):
    pass


class TokenPair(Schema):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str | None = Field(
        description="Single-use; null for the web client, which gets it as an httpOnly cookie."
    )


class PasswordResetRequest(InputSchema):
    token: Secret
    new_password: Secret
