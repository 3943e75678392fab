"""Instagram takes only JPEG: a PNG goes out as a JPEG rendition through the signed URL, which
the sandbox downloads from the running app (and refuses anything that is not JPEG)."""

from __future__ import annotations

import io
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from fixtures.sandbox import SandboxServer
from fixtures.world import World, login
from media.support import uploaded
from PIL import Image
from publishing.support import Target, _channel, load, publishing_env, run_publisher, schedule

from app.auth.permissions import Role
from app.config import Settings
from app.connectors.base import Platform
from app.kit.db import Database
from app.kit.time import utc_now
from app.main import create_app
from app.media.signing import signed_url
from app.posts.models import PostMedia
from app.publishing.models import PublicationStatus as S

__all__ = ["publishing_env"]


@pytest.fixture
def live_app(settings: Settings, database: Database) -> Iterator[str]:
    """The app on a real loopback port (the sandbox downloads images like Meta does)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings.public_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database=Database(database.url)),
            log_config=None, log_level=None, access_log=False, lifespan="off",
        )
    )  # fmt: skip
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "app did not start"
        assert thread.is_alive(), "app did not start"
        time.sleep(0.01)
    yield settings.public_url
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


def png_with_alpha() -> bytes:
    image = Image.new("RGBA", (64, 48), (0, 120, 200, 128))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def instagram(database: Database, settings: Settings, sandbox: SandboxServer, world: World):  # type: ignore[no-untyped-def]
    page = sandbox.control.graph_user()["pages"][0]
    ig = page["instagram_business_account_id"]
    channel = await _channel(
        database, settings, world.clinic_a, Platform.INSTAGRAM, ig, page["access_token"],
        name="klinikum_ig",
    )  # fmt: skip
    return Target(channel, "instagram", ig, page["access_token"])


class TestInstagramJpeg:
    async def test_png_is_published_as_jpeg(
        self, live_app: str, client: httpx.AsyncClient, publishing_env: SandboxServer,
        database: Database, settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        monkeypatch.setenv("KLINIKFUNK_MEDIA_POLL_INTERVAL_SECONDS", "0.05")
        target = await instagram(database, settings, publishing_env, world)
        editor = await login(client, world.user(Role.editor).email, world.password)
        image = await uploaded(client, editor, world.clinic_a.id, png_with_alpha())
        assert image["content_type"] == "image/png"
        publication = await schedule(database, world, target, "Unser neues Logo")
        async with database.session_scope() as session:
            session.add(
                PostMedia(
                    post_id=publication.post_id, media_id=uuid.UUID(str(image["id"])),
                    position=0, alt_text="Logo",
                )
            )  # fmt: skip

        await run_publisher(database, settings)

        done = await load(database, publication.id)
        assert done.status is S.published, done.last_error
        [media] = [m for m in publishing_env.control.state()["graph"]["ig_media"]]
        url = urlsplit(media["media_url"])
        assert "rendition=jpeg" in url.query
        fetched = await client.get(f"{url.path}?{url.query}")
        assert fetched.status_code == 200
        assert fetched.headers["content-type"] == "image/jpeg"
        assert fetched.content[:3] == b"\xff\xd8\xff"
        with Image.open(io.BytesIO(fetched.content)) as jpeg:
            assert jpeg.format == "JPEG"
            assert jpeg.mode == "RGB"
            assert not jpeg.info.get("icc_profile")
            assert not jpeg.getexif()

    async def test_the_sandbox_refuses_png_bytes_for_instagram(
        self, live_app: str, client: httpx.AsyncClient, publishing_env: SandboxServer,
        database: Database, settings: Settings, world: World,
    ) -> None:  # fmt: skip
        target = await instagram(database, settings, publishing_env, world)
        editor = await login(client, world.user(Role.editor).email, world.password)
        image = await uploaded(client, editor, world.clinic_a.id, png_with_alpha())
        url = signed_url(live_app, settings.signing_key(), uuid.UUID(image["id"]), utc_now())
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{publishing_env.graph_url}/{target.account_id}/media",
                data={"image_url": url, "caption": "PNG", "access_token": target.token},
            )
        assert response.status_code == 400
        assert response.json()["error"]["error_subcode"] == 2207005
