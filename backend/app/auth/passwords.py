"""Password hashing (argon2id, SEC-12) and the password policy (SEC-13)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.config import Settings
from app.kit.errors import field_error

MIN_LENGTH = 8
MAX_LENGTH = 128


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_cost,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        # Verified against when the account does not exist, so both paths cost the same.
        self._dummy = self._hasher.hash("klinikfunk-timing-equaliser")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and (
                password_hash is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_policy(password: str, *, email: str, field: str = "body.new_password") -> None:
    """Length 8–128, not a common password, not the e-mail address; no composition rules."""
    if len(password) < MIN_LENGTH:
        raise field_error(field, f"The password must have at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise field_error(field, f"The password must have at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.strip("0123456789!") in _common_passwords():
        raise field_error(
            field, "This password is one of the most common passwords. Choose another one."
        )
    if lowered == email.lower() or lowered == email.split("@")[0].lower():
        raise field_error(field, "The password must not be your e-mail address.")
