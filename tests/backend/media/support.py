"""Images for the media tests, built with Pillow (nothing binary is committed), and upload
helpers."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from typing import Any

import httpx
from PIL import Image

API = "/api/v1/media"
GPS_IFD = 0x8825
ORIENTATION = 0x0112
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/api/v1/users')</script><rect width='10' height='10'/></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def jpeg_with_gps(width: int = 64, height: int = 48, orientation: int = 1) -> bytes:
    """A JPEG with camera, time and GPS EXIF (Berlin Charité) and an orientation tag."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "KlinikKamera"  # Make
    exif[0x0132] = "2026:03:29 09:30:00"  # DateTime
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 32.0), 3: "E", 4: (13.0, 22.0, 37.0)}
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 20, height: int = 10, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """Incompressible: about ``3 * side²`` bytes."""
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 50_000) -> bytes:
    """A small PNG whose header claims ``side × side`` pixels (2.5 gigapixels by default)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + _chunk(b"IEND", b"")
    )


def exif_of(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    clinic_id: uuid.UUID,
    data: bytes,
    filename: str = "station-3.jpg",
    mime: str = "image/jpeg",
) -> httpx.Response:
    return await client.post(
        API,
        headers=headers,
        data={"clinic_id": str(clinic_id)},
        files={"file": (filename, data, mime)},
    )


async def uploaded(
    client: httpx.AsyncClient, headers: dict[str, str], clinic_id: uuid.UUID, data: bytes
) -> dict[str, Any]:
    response = await upload(client, headers, clinic_id, data)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
