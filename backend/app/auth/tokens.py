"""Access tokens (JWT, algorithm pinned: SEC-7/8) and opaque secrets (refresh, reset)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from jose import JWTError, jwt

from app.kit.time import utc_now

ALGORITHM = "HS256"
ALGORITHMS = [ALGORITHM]
TOKEN_TYPE = "at+jwt"
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID


class InvalidToken(Exception):
    pass


def create_access_token(
    *,
    key: str,
    issuer: str,
    audience: str,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    lifetime: timedelta,
) -> str:
    now = utc_now()
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": str(user_id),
        "sid": str(session_id),
        "jti": secrets.token_hex(16),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"typ": TOKEN_TYPE})


def decode_access_token(token: str, *, key: str, issuer: str, audience: str) -> AccessClaims:
    """The only place tokens are decoded: HS256 only, every registered claim required."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM or header.get("typ") != TOKEN_TYPE:
            raise InvalidToken("unexpected token header")
        claims = jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_nbf": True,
                "require_sub": True,
                "require_jti": True,
                "require_aud": True,
                "require_iss": True,
                "leeway": LEEWAY_SECONDS,
            },
        )
        return AccessClaims(user_id=uuid.UUID(claims["sub"]), session_id=uuid.UUID(claims["sid"]))
    except (JWTError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidToken(str(exc)) from exc


def new_secret() -> str:
    """An opaque 256-bit secret for refresh and reset tokens."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
