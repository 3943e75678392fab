"""SEC-20: third-party tokens encrypted at rest with per-organization data keys."""

from __future__ import annotations

import pytest
from fixtures.world import World
from sqlalchemy import text

from app.config import Settings
from app.kit.db import Database
from app.vault.service import KeyRing, SecretBox, SecretError, keyring_from

TOKEN = "EAAB-sandbox-page-token-4711"


def _ring(**keys: str) -> dict[str, str]:
    return keys


class TestSeal:
    async def test_round_trip_and_no_plaintext_in_the_database(
        self, database: Database, settings: Settings, world: World
    ) -> None:
        box = SecretBox(keyring_from(settings))
        async with database.session_scope() as session:
            sealed = await box.seal(session, world.org.id, TOKEN, context="channel:1:access_token")
        assert TOKEN not in sealed
        assert sealed.startswith("kf1.")
        async with database.session_scope() as session:
            assert (
                await box.open(session, world.org.id, sealed, context="channel:1:access_token")
                == TOKEN
            )
            rows = []
            for table in ("data_keys", "audit_events"):
                rows += (await session.execute(text(f"SELECT * FROM {table}"))).all()
        dump = " ".join(map(str, rows))
        assert TOKEN not in dump

    async def test_sealing_twice_differs(
        self, database: Database, settings: Settings, world: World
    ) -> None:
        box = SecretBox(keyring_from(settings))
        async with database.session_scope() as session:
            first = await box.seal(session, world.org.id, TOKEN, context="c")
            second = await box.seal(session, world.org.id, TOKEN, context="c")
        assert first != second

    async def test_swapped_or_altered_ciphertexts_do_not_open(
        self, database: Database, settings: Settings, world: World
    ) -> None:
        box = SecretBox(keyring_from(settings))
        async with database.session_scope() as session:
            sealed = await box.seal(session, world.org.id, TOKEN, context="channel:1:access_token")
            other_org = await box.seal(
                session, world.other_org.id, "other", context="channel:1:access_token"
            )
        async with database.session_scope() as session:
            with pytest.raises(SecretError):
                await box.open(session, world.org.id, sealed, context="channel:2:access_token")
            with pytest.raises(SecretError):
                await box.open(
                    session, world.other_org.id, sealed, context="channel:1:access_token"
                )
            with pytest.raises(SecretError):
                await box.open(session, world.org.id, other_org, context="channel:1:access_token")
            tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
            with pytest.raises(SecretError):
                await box.open(session, world.org.id, tampered, context="channel:1:access_token")
            with pytest.raises(SecretError):
                await box.open(
                    session, world.org.id, "plain-token", context="channel:1:access_token"
                )


class TestRotation:
    async def test_kek_rotation_rewraps_and_old_kek_can_go(
        self, database: Database, settings: Settings, world: World
    ) -> None:
        old, new = KeyRing.generate(), KeyRing.generate()
        first = SecretBox(KeyRing.parse(_ring(k1=old), "k1"))
        async with database.session_scope() as session:
            sealed = await first.seal(session, world.org.id, TOKEN, context="c")
        both = SecretBox(KeyRing.parse(_ring(k1=old, k2=new), "k2"))
        async with database.session_scope() as session:
            assert await both.rewrap_all(session) == 1
            assert await both.rewrap_all(session) == 0
        only_new = SecretBox(KeyRing.parse(_ring(k2=new), "k2"))
        async with database.session_scope() as session:
            assert await only_new.open(session, world.org.id, sealed, context="c") == TOKEN
        with pytest.raises(SecretError):
            async with database.session_scope() as session:
                await first.open(session, world.org.id, sealed, context="c")

    def test_keyring_validates_its_keys(self) -> None:
        with pytest.raises(ValueError, match="32 bytes"):
            KeyRing.parse({"k": "c2hvcnQ"}, "k")
        with pytest.raises(ValueError, match="not configured"):
            KeyRing.parse({"k": KeyRing.generate()}, "x")

    def test_embedded_default_generates_one_private_kek(self, settings: Settings) -> None:
        first = keyring_from(settings)
        assert first.keys == keyring_from(settings).keys
        assert (settings.data_dir / "kek").stat().st_mode & 0o077 == 0
