"""Media uploads: content sniffing, re-encoding without EXIF/GPS, storage outside served paths,
scope, the body limit of the upload route, and the signed public URL."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fixtures.helpers import assert_problem, audit_actions, count
from fixtures.world import OTHER_ADMIN, World, login
from media.support import (
    API,
    GPS_IFD,
    HTML,
    SVG_WITH_SCRIPT,
    exif_of,
    gif,
    jpeg_with_gps,
    noise_png,
    png,
    png_bomb,
    upload,
    uploaded,
)
from PIL import Image
from publishing.support import clinic_user

from app.auth.permissions import Role
from app.config import Settings
from app.kit.db import Database
from app.kit.http import UPLOAD_MAX_BYTES, body_limit_for
from app.kit.time import utc_now
from app.media import signing
from app.media.images import ImageRejected, clean_image
from app.media.service import safe_filename
from app.posts.models import MediaAsset


@pytest.fixture
async def editor(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    return await login(client, world.user(Role.editor).email, world.password)


def stored_files(settings: Settings) -> list[Path]:
    root = settings.data_dir / "media"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class TestUpload:
    async def test_jpeg_is_reencoded_without_exif_and_gps(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        settings: Settings, database: Database,
    ) -> None:  # fmt: skip
        original = jpeg_with_gps(64, 48, orientation=6)
        assert exif_of(original).get_ifd(GPS_IFD)  # the fixture really carries GPS

        body = await uploaded(client, editor, world.clinic_a.id, original)

        # Orientation 6 (rotate 90°) applied before the tag was dropped: 48 × 64.
        assert (body["width"], body["height"]) == (48, 64)
        assert body["content_type"] == "image/jpeg"
        assert body["filename"] == "station-3.jpg"
        assert body["clinic_id"] == str(world.clinic_a.id)
        [path] = stored_files(settings)
        stored = path.read_bytes()
        assert path == settings.data_dir / "media" / str(world.org.id) / f"{body['sha256']}.jpg"
        assert hashlib.sha256(stored).hexdigest() == body["sha256"]
        assert body["size_bytes"] == len(stored) != len(original)
        assert dict(exif_of(stored)) == {}
        assert not exif_of(stored).get_ifd(GPS_IFD)
        assert b"KlinikKamera" not in stored
        assert b"Exif" not in stored
        assert "media.uploaded" in await audit_actions(database)
        served = await client.get(body["content_url"], headers=editor)
        assert served.content == stored

    @pytest.mark.parametrize(
        ("data", "mime", "size"),
        [(png(20, 10), "image/png", (20, 10)), (gif(), "image/gif", (8, 8))],
    )
    async def test_png_and_gif_keep_their_format(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        data: bytes, mime: str, size: tuple[int, int],
    ) -> None:  # fmt: skip
        body = await uploaded(client, editor, world.clinic_a.id, data)
        assert body["content_type"] == mime
        assert (body["width"], body["height"]) == size
        assert body["filename"] == f"station-3.{mime.split('/')[1]}"

    async def test_upload_may_exceed_the_general_1_mib_body_limit(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World
    ) -> None:
        big = noise_png(700)
        assert len(big) > 1024 * 1024
        body = await uploaded(client, editor, world.clinic_a.id, big)
        assert (body["width"], body["height"]) == (700, 700)

    async def test_other_routes_keep_the_1_mib_limit(
        self, client: httpx.AsyncClient, editor: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v1/posts", headers=editor, json={"title": "x" * (1024 * 1024 + 10)}
        )
        assert_problem(response, 413)

    @pytest.mark.parametrize(
        ("data", "filename", "mime", "code"),
        [
            (SVG_WITH_SCRIPT, "logo.svg", "image/svg+xml", "unsupported_type"),
            (HTML, "foto.jpg", "image/jpeg", "unsupported_type"),
            (b"GIF89a" + HTML, "foto.gif", "image/gif", "polyglot"),
            (gif() + HTML, "foto.gif", "image/gif", "polyglot"),
            (b"", "leer.jpg", "image/jpeg", "empty_file"),
            (jpeg_with_gps()[:300], "halb.jpg", "image/jpeg", "corrupt_image"),
            (png_bomb(), "bombe.png", "image/png", "too_many_pixels"),
            (b"%PDF-1.7\n" + b"x" * 100, "brief.pdf", "application/pdf", "unsupported_type"),
        ],
        ids=["svg-script", "html-as-jpg", "gif-header-html", "gif-plus-html", "empty",
             "truncated", "decompression-bomb", "pdf"],
    )  # fmt: skip
    async def test_refuses_what_is_not_a_clean_image(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        settings: Settings, database: Database, data: bytes, filename: str, mime: str, code: str,
    ) -> None:  # fmt: skip
        response = await upload(client, editor, world.clinic_a.id, data, filename, mime)

        problem = assert_problem(response, 422)
        assert [e["type"] for e in problem["errors"]] == [code]
        assert problem["errors"][0]["field"] == "body.file"
        assert await count(database, MediaAsset) == 0
        assert stored_files(settings) == []

    async def test_body_over_20_mib_is_413(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database,
    ) -> None:  # fmt: skip
        data = b"\xff\xd8\xff" + b"\x00" * (21 * 1024 * 1024)
        response = await upload(client, editor, world.clinic_a.id, data)
        assert_problem(response, 413)
        assert await count(database, MediaAsset) == 0

    async def test_file_just_over_20_mib_is_413(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database,
    ) -> None:  # fmt: skip
        data = b"\xff\xd8\xff" + b"\x00" * UPLOAD_MAX_BYTES
        response = await upload(client, editor, world.clinic_a.id, data)
        assert "20 MiB" in assert_problem(response, 413)["detail"]
        assert await count(database, MediaAsset) == 0

    @pytest.mark.parametrize("role", [Role.moderator, Role.analyst, Role.medical_reviewer])
    async def test_roles_without_posts_write_are_403(
        self, client: httpx.AsyncClient, world: World, database: Database, role: Role
    ) -> None:
        headers = await login(client, world.user(role).email, world.password)
        response = await upload(client, headers, world.clinic_a.id, jpeg_with_gps())
        assert_problem(response, 403)
        assert await count(database, MediaAsset) == 0

    async def test_clinic_of_another_organization_is_unknown(
        self, client: httpx.AsyncClient, world: World, database: Database
    ) -> None:
        headers = await login(client, OTHER_ADMIN, world.password)
        response = await upload(client, headers, world.clinic_a.id, jpeg_with_gps())
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["field"] == "body.clinic_id"
        assert await count(database, MediaAsset) == 0

    async def test_editor_of_one_clinic_cannot_upload_for_another(
        self, client: httpx.AsyncClient, world: World, database: Database, settings: Settings
    ) -> None:
        await clinic_user(database, settings, world, Role.editor, world.clinic_b, "b@m.example")
        headers = await login(client, "b@m.example", world.password)
        assert_problem(await upload(client, headers, world.clinic_a.id, png()), 422)
        assert (await upload(client, headers, world.clinic_b.id, png())).status_code == 201

    async def test_needs_a_session(self, client: httpx.AsyncClient, world: World) -> None:
        assert_problem(await upload(client, {}, world.clinic_a.id, png()), 401)


class TestRead:
    async def test_metadata_and_content_with_safe_headers(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World
    ) -> None:
        body = await uploaded(client, editor, world.clinic_a.id, jpeg_with_gps())
        reviewer = await login(client, world.user(Role.medical_reviewer).email, world.password)

        meta = await client.get(f"{API}/{body['id']}", headers=reviewer)
        content = await client.get(f"{API}/{body['id']}/content", headers=reviewer)

        assert meta.status_code == 200
        assert meta.json() == body
        assert "storage_key" not in meta.json()
        assert content.status_code == 200
        assert content.headers["content-type"] == "image/jpeg"
        assert content.headers["content-disposition"] == 'inline; filename="station-3.jpg"'
        assert content.headers["x-content-type-options"] == "nosniff"
        assert hashlib.sha256(content.content).hexdigest() == body["sha256"]

    async def test_other_organization_and_other_clinic_get_404(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        database: Database, settings: Settings,
    ) -> None:  # fmt: skip
        body = await uploaded(client, editor, world.clinic_a.id, png())
        await clinic_user(database, settings, world, Role.editor, world.clinic_b, "b@m.example")
        for headers in (
            await login(client, OTHER_ADMIN, world.password),
            await login(client, "b@m.example", world.password),
        ):
            assert_problem(await client.get(f"{API}/{body['id']}", headers=headers), 404)
            assert_problem(await client.get(f"{API}/{body['id']}/content", headers=headers), 404)

    async def test_roles_without_posts_read_are_403(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World
    ) -> None:
        body = await uploaded(client, editor, world.clinic_a.id, png())
        headers = await login(client, world.user(Role.analyst).email, world.password)
        assert_problem(await client.get(f"{API}/{body['id']}/content", headers=headers), 403)

    async def test_content_needs_a_session(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World
    ) -> None:
        body = await uploaded(client, editor, world.clinic_a.id, png())
        assert_problem(await client.get(f"{API}/{body['id']}/content"), 401)


class TestSignedUrl:
    async def test_valid_signature_serves_the_reencoded_file_without_login(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        settings: Settings,
    ) -> None:  # fmt: skip
        body = await uploaded(client, editor, world.clinic_a.id, jpeg_with_gps())
        url = signing.signed_url("", settings.signing_key(), uuid.UUID(body["id"]), utc_now())

        response = await client.get(url)

        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-disposition"].startswith("inline;")
        assert hashlib.sha256(response.content).hexdigest() == body["sha256"]
        assert not exif_of(response.content).get_ifd(GPS_IFD)

    async def test_expired_tampered_foreign_and_unknown_all_answer_the_same_404(
        self, client: httpx.AsyncClient, editor: dict[str, str], world: World,
        settings: Settings,
    ) -> None:  # fmt: skip
        first = uuid.UUID((await uploaded(client, editor, world.clinic_a.id, png()))["id"])
        second = uuid.UUID((await uploaded(client, editor, world.clinic_a.id, gif()))["id"])
        key = settings.signing_key()
        now = utc_now()
        valid = signing.signed_url("", key, first, now)
        exp = valid.split("exp=")[1].split("&")[0]
        sig = valid.split("sig=")[1]
        flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
        urls = [
            signing.signed_url("", key, first, now - timedelta(hours=2)),  # expired
            valid.replace(f"exp={exp}", f"exp={int(exp) + 60}"),  # exp changed
            valid.replace(f"sig={sig}", f"sig={flipped}"),  # signature changed
            valid.replace(str(first), str(second)),  # another media's id
            signing.signed_url("", "another-secret-" + "x" * 32, first, now),  # foreign key
            signing.signed_url("", key, first, now, lifetime_seconds=30 * 86400),  # too long
            signing.signed_url("", key, uuid.uuid4(), now),  # no such media
            valid.split("&sig=")[0] + "&sig=",  # empty signature
        ]
        details = set()
        for url in urls:
            response = await client.get(url)
            details.add(assert_problem(response, 404)["detail"])
            assert not response.content.startswith(b"\x89PNG")
        assert details == {"No such media."}

    def test_signature_is_bound_to_id_and_expiry(self) -> None:
        media_id = uuid.uuid4()
        now = utc_now()
        exp = int(now.timestamp()) + 100
        sig = signing.signature("k" * 40, media_id, exp)
        assert signing.verify("k" * 40, media_id, exp, sig, now)
        assert not signing.verify("k" * 40, media_id, exp + 1, sig, now)
        assert not signing.verify("k" * 40, uuid.uuid4(), exp, sig, now)
        assert not signing.verify("k" * 40, media_id, exp, sig, now + timedelta(seconds=101))
        assert not signing.verify("j" * 40, media_id, exp, sig, now)


class TestUnits:
    def test_body_limit_applies_to_whole_path_segments(self) -> None:
        assert body_limit_for("/api/v1/media") == UPLOAD_MAX_BYTES + 64 * 1024
        assert body_limit_for("/api/v1/media/123/content") == UPLOAD_MAX_BYTES + 64 * 1024
        assert body_limit_for("/api/v1/media-import") is None
        assert body_limit_for("/api/v1/posts") is None

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("../../etc/passwd", "passwd.jpg"),
            ("C:\\Users\\x\\Ärztin Müller.png", "Ärztin Müller.jpg"),
            ('a"; b=<x>.jpeg', "a_ b_x.jpg"),
            ("", "bild.jpg"),
            (None, "bild.jpg"),
        ],
    )
    def test_safe_filename(self, name: str | None, expected: str) -> None:
        assert safe_filename(name, "jpg") == expected

    def test_png_text_chunks_and_exif_are_dropped(self) -> None:
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Dr. Beispiel, Station 3")
        exif = Image.Exif()
        exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 32.0)}
        out = io.BytesIO()
        Image.new("RGB", (4, 4)).save(out, "PNG", pnginfo=info, exif=exif.tobytes())
        clean = clean_image(out.getvalue())
        with Image.open(io.BytesIO(clean.content)) as image:
            assert "Author" not in image.info
            assert "exif" not in image.info
        assert b"Beispiel" not in clean.content

    def test_animated_gif_keeps_its_frames(self) -> None:
        frames = [Image.new("RGB", (6, 6), c) for c in ("red", "green", "blue")]
        out = io.BytesIO()
        frames[0].save(
            out, "GIF", save_all=True, append_images=frames[1:], duration=80, comment=b"geheim"
        )
        clean = clean_image(out.getvalue())
        with Image.open(io.BytesIO(clean.content)) as image:
            assert getattr(image, "n_frames", 1) == 3
        assert b"geheim" not in clean.content

    def test_header_pixel_count_is_checked_before_decoding(self) -> None:
        with pytest.raises(ImageRejected) as caught:
            clean_image(png_bomb(7000))  # 49 MP, a 100 KB file
        assert caught.value.code == "too_many_pixels"
