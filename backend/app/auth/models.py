from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from app.kit.models import RecordModel, utc_column


class UserSession(RecordModel, table=True):
    """A login: the family of its refresh tokens; access tokens carry its id (``sid``)."""

    __tablename__ = "user_sessions"

    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    last_used_at: datetime = utc_column()
    idle_expires_at: datetime = utc_column()
    absolute_expires_at: datetime = utc_column()
    revoked_at: datetime | None = utc_column(default=None)
    revoked_reason: str | None = Field(default=None, max_length=64)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)


class RefreshToken(RecordModel, table=True):
    """An opaque single-use refresh token, stored as its SHA-256."""

    __tablename__ = "refresh_tokens"

    session_id: uuid.UUID = Field(foreign_key="user_sessions.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = utc_column(default=None)


class PasswordResetToken(RecordModel, table=True):
    """A one-time link an admin hands to a user to set a password."""

    __tablename__ = "password_reset_tokens"

    user_id: uuid.UUID = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = utc_column()
    used_at: datetime | None = utc_column(default=None)
    created_by_id: uuid.UUID | None = Field(default=None, foreign_key="users.id")


class LoginThrottle(RecordModel, table=True):
    """Failed-login counter for one key (``account:<sha256>`` or ``ip:<address>``)."""

    __tablename__ = "login_throttles"

    key: str = Field(max_length=100, unique=True)
    failures: int = 0
    window_started_at: datetime = utc_column()
    locked_until: datetime | None = utc_column(default=None)
