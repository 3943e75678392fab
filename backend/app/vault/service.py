"""Envelope encryption for third-party secrets at rest (SEC-20).

Each organization has a data key (AES-256) stored wrapped by a key-encryption key (KEK) from the
environment. A secret is sealed with AES-256-GCM under the organization's data key, with the
organization and a caller-given context (e.g. ``channel:<id>:access_token``) as associated
data, so a ciphertext copied to another row or tenant does not decrypt. KEKs rotate by
re-wrapping the data keys; old KEKs can be removed once nothing is wrapped by them.
"""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.config import Settings
from app.vault.models import DataKey

PREFIX = "kf1"
NONCE_BYTES = 12


class SecretError(Exception):
    """A sealed secret could not be opened: wrong tenant, context, key, or altered data."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class KeyRing:
    """The configured key-encryption keys; ``active`` wraps new and re-wrapped data keys."""

    keys: dict[str, bytes]
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError(f"active KEK {self.active!r} is not configured")
        for kek_id, key in self.keys.items():
            if len(key) != 32:
                raise ValueError(f"KEK {kek_id!r} must be 32 bytes (base64url-encoded)")

    @classmethod
    def parse(cls, encoded: dict[str, str], active: str) -> KeyRing:
        return cls({kek_id: _unb64(value) for kek_id, value in encoded.items()}, active)

    @staticmethod
    def generate() -> str:
        return _b64(AESGCM.generate_key(bit_length=256))

    def wrap(self, organization_id: uuid.UUID, dek: bytes) -> tuple[str, str]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, dek, _dek_aad(organization_id))
        return self.active, _b64(nonce + sealed)

    def unwrap(self, organization_id: uuid.UUID, kek_id: str, wrapped: str) -> bytes:
        key = self.keys.get(kek_id)
        if key is None:
            raise SecretError(f"data key wrapped by KEK {kek_id!r}, which is not configured")
        raw = _unb64(wrapped)
        try:
            return AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _dek_aad(organization_id)
            )
        except InvalidTag as exc:
            raise SecretError("data key does not open with its KEK") from exc


def _dek_aad(organization_id: uuid.UUID) -> bytes:
    return f"klinikfunk-dek|{organization_id}".encode()


def _secret_aad(organization_id: uuid.UUID, context: str) -> bytes:
    return f"klinikfunk-secret|{organization_id}|{context}".encode()


def keyring_from(settings: Settings) -> KeyRing:
    keys, active = settings.keyring_material()
    return KeyRing.parse(keys, active)


class SecretBox:
    def __init__(self, keyring: KeyRing) -> None:
        self.keyring = keyring

    async def _active_key(self, session: AsyncSession, organization_id: uuid.UUID) -> DataKey:
        key = (
            await session.execute(
                select(DataKey).where(
                    col(DataKey.organization_id) == organization_id, col(DataKey.active).is_(True)
                )
            )
        ).scalar_one_or_none()
        if key is None:
            kek_id, wrapped = self.keyring.wrap(
                organization_id, AESGCM.generate_key(bit_length=256)
            )
            key = DataKey(organization_id=organization_id, kek_id=kek_id, wrapped_key=wrapped)
            session.add(key)
            await session.flush()
        return key

    async def seal(
        self, session: AsyncSession, organization_id: uuid.UUID, plaintext: str, *, context: str
    ) -> str:
        """Encrypt ``plaintext`` for this organization and context; returns a printable token."""
        key = await self._active_key(session, organization_id)
        dek = self.keyring.unwrap(organization_id, key.kek_id, key.wrapped_key)
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(dek).encrypt(
            nonce, plaintext.encode(), _secret_aad(organization_id, context)
        )
        return f"{PREFIX}.{key.id}.{_b64(nonce + sealed)}"

    async def open(
        self, session: AsyncSession, organization_id: uuid.UUID, token: str, *, context: str
    ) -> str:
        try:
            prefix, key_id, payload = token.split(".")
            if prefix != PREFIX:
                raise ValueError(prefix)
            key = await session.get(DataKey, uuid.UUID(key_id))
            raw = _unb64(payload)
        except ValueError as exc:
            raise SecretError("not a sealed secret") from exc
        if key is None or key.organization_id != organization_id:
            raise SecretError("no data key for this organization")
        dek = self.keyring.unwrap(organization_id, key.kek_id, key.wrapped_key)
        try:
            plain = AESGCM(dek).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _secret_aad(organization_id, context)
            )
        except InvalidTag as exc:
            raise SecretError("secret does not open in this context") from exc
        return plain.decode()

    async def seal_bytes(
        self, session: AsyncSession, organization_id: uuid.UUID, data: bytes, *, context: str
    ) -> bytes:
        """Encrypt a file for this organization and context: ``kf1.<key id>.`` + nonce +
        ciphertext (binary, no base64 overhead)."""
        key = await self._active_key(session, organization_id)
        dek = self.keyring.unwrap(organization_id, key.kek_id, key.wrapped_key)
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(dek).encrypt(nonce, data, _secret_aad(organization_id, context))
        return f"{PREFIX}.{key.id}.".encode() + nonce + sealed

    async def open_bytes(
        self, session: AsyncSession, organization_id: uuid.UUID, blob: bytes, *, context: str
    ) -> bytes:
        try:
            prefix, key_id, raw = blob.split(b".", 2)
            if prefix.decode() != PREFIX:
                raise ValueError(prefix)
            key = await session.get(DataKey, uuid.UUID(key_id.decode()))
        except (ValueError, UnicodeDecodeError) as exc:
            raise SecretError("not a sealed file") from exc
        if key is None or key.organization_id != organization_id:
            raise SecretError("no data key for this organization")
        dek = self.keyring.unwrap(organization_id, key.kek_id, key.wrapped_key)
        try:
            return AESGCM(dek).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _secret_aad(organization_id, context)
            )
        except InvalidTag as exc:
            raise SecretError("file does not open in this context") from exc

    async def rewrap_all(self, session: AsyncSession) -> int:
        """Re-wrap every data key not under the active KEK; returns how many changed."""
        stale = (
            (
                await session.execute(
                    select(DataKey).where(col(DataKey.kek_id) != self.keyring.active)
                )
            )
            .scalars()
            .all()
        )
        for key in stale:
            dek = self.keyring.unwrap(key.organization_id, key.kek_id, key.wrapped_key)
            key.kek_id, key.wrapped_key = self.keyring.wrap(key.organization_id, dek)
        await session.flush()
        return len(stale)
