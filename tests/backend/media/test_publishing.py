"""Publishing posts with images through the publisher to the sandbox over real loopback:
Mastodon gets the re-encoded bytes, Facebook a signed URL it can fetch without our login."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fixtures.sandbox import SandboxServer
from fixtures.world import World, login
from media.support import GPS_IFD, exif_of, jpeg_with_gps, uploaded
from publishing.support import (
    Target,
    connect_facebook,
    connect_mastodon,
    load,
    publishing_env,
    run_publisher,
    schedule,
)

from app.auth.permissions import Role
from app.config import Settings
from app.kit.db import Database
from app.media import storage
from app.posts.models import MediaAsset, PostMedia
from app.publishing.models import Publication
from app.publishing.models import PublicationStatus as S

__all__ = ["publishing_env"]


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


ALT = "Pflegerin zeigt einem Kind das neue Spielzimmer der Kinderstation"


async def with_image(
    client: httpx.AsyncClient, world: World, database: Database, target: Target
) -> tuple[Publication, dict[str, object]]:
    editor = await login(client, world.user(Role.editor).email, world.password)
    image = await uploaded(client, editor, world.clinic_a.id, jpeg_with_gps(120, 80))
    publication = await schedule(database, world, target, "Das neue Spielzimmer ist offen.")
    async with database.session_scope() as session:
        session.add(
            PostMedia(
                post_id=publication.post_id,
                media_id=uuid.UUID(str(image["id"])),
                position=0,
                alt_text=ALT,
            )
        )
    return publication, image


class TestPublishWithMedia:
    async def test_mastodon_gets_the_reencoded_bytes_with_alt_text(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await connect_mastodon(database, settings, publishing_env, world.clinic_a, "n")
        publication, image = await with_image(client, world, database, target)

        assert await run_publisher(database, settings) == 1

        done = await load(database, publication.id)
        assert done.status is S.published, done.last_error
        state = publishing_env.control.state()["mastodon"]
        status = by_id(state["statuses"])[done.platform_post_id]
        [media_id] = status["media_ids"]
        media = by_id(state["media"])[media_id]
        assert media["description"] == ALT
        assert media["content_type"] == "image/jpeg"
        assert media["size"] == image["size_bytes"]  # the stored, metadata-free bytes

    async def test_facebook_pulls_a_signed_url_that_serves_the_clean_image(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await connect_facebook(database, settings, publishing_env, world.clinic_a)
        publication, image = await with_image(client, world, database, target)

        assert await run_publisher(database, settings) == 1

        done = await load(database, publication.id)
        assert done.status is S.published, done.last_error
        posts = by_id(publishing_env.control.state()["graph"]["posts"])
        feed = posts[done.platform_post_id]
        [photo_id] = feed["attached_photo_ids"]
        photo = posts[photo_id]
        assert photo["alt_text"] == ALT
        url = urlsplit(photo["image_url"])
        assert f"{url.scheme}://{url.netloc}" == settings.base_url
        assert url.path == f"/api/v1/media/public/{image['id']}"
        # What the platform fetches: no login, the re-encoded file, no GPS.
        fetched = await client.get(f"{url.path}?{url.query}")
        assert fetched.status_code == 200
        assert hashlib.sha256(fetched.content).hexdigest() == image["sha256"]
        assert not exif_of(fetched.content).get_ifd(GPS_IFD)

    @pytest.mark.parametrize("platform", ["mastodon", "facebook"])
    async def test_a_missing_file_fails_with_a_message_and_publishes_nothing(
        self, client: httpx.AsyncClient, publishing_env: SandboxServer, database: Database,
        settings: Settings, world: World, platform: str,
    ) -> None:  # fmt: skip
        clinic = world.clinic_a
        if platform == "mastodon":
            target = await connect_mastodon(database, settings, publishing_env, clinic, "n")
        else:
            target = await connect_facebook(database, settings, publishing_env, clinic)
        publication, image = await with_image(client, world, database, target)
        async with database.session_scope() as session:
            asset = await session.get(MediaAsset, uuid.UUID(str(image["id"])))
            assert asset is not None
            storage.path_for(settings, asset.storage_key).unlink()

        await run_publisher(database, settings)

        done = await load(database, publication.id)
        assert done.status is S.failed
        assert done.error_code == "media_missing"
        assert done.last_error
        assert "Bild" in done.last_error
        assert publishing_env.control.posts(target.platform, target.account_id) == []
