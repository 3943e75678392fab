"""Image hygiene (FEAT-14, SEC-30): the type is read from the content, never the name; the file
is decoded fully and re-encoded, so no byte of the upload is stored or published, and no
metadata (EXIF incl. GPS and times, XMP, comments, ICC profiles) survives.

Pure functions over bytes; no database, no files.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageCms, ImageOps, ImageSequence, UnidentifiedImageError

MAX_PIXELS = 40_000_000
"""Pixels per frame we decode at most (a 40 MP photo); larger headers are refused before any
pixel is decoded. Pillow's own ``MAX_IMAGE_PIXELS`` guard stays on as a second line."""
MAX_FRAMES = 200
"""Frames of an animated GIF/WebP."""

FORMATS: dict[str, tuple[str, str]] = {
    # Pillow format → (MIME type, file extension)
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}

# Markup that makes a file a polyglot a browser could render as a document. Long markers are
# searched in the whole file; short ones only near its start and end (where a polyglot puts
# them), since random compressed pixel data contains a given 4-byte sequence now and then.
_MARKUP_ANYWHERE = (b"<script", b"<!doctype", b"<iframe", b"<object", b"<embed")
_MARKUP_AT_EDGES = (b"<html", b"<svg", b"<body", b"<head", b"<meta", b"<img")
_EDGE_BYTES = 4096


class ImageRejected(ValueError):
    """The upload is not an image we accept; the message is for the user (German)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    mime: str
    extension: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The Pillow format name by magic bytes, None for anything else (SVG, HTML, PDF, …)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _contains_markup(data: bytes) -> bool:
    lowered = data.lower()
    if any(marker in lowered for marker in _MARKUP_ANYWHERE):
        return True
    edges = lowered[:_EDGE_BYTES] + b"\x00" + lowered[-_EDGE_BYTES:]
    return any(marker in edges for marker in _MARKUP_AT_EDGES)


def clean_image(data: bytes) -> CleanImage:
    """Check ``data`` on its content and return it re-encoded without metadata.

    Raises :class:`ImageRejected` for empty files, anything but JPEG/PNG/WebP/GIF, files with
    embedded markup (polyglots), truncated or corrupt files and decompression bombs.
    """
    if not data:
        raise ImageRejected("Die Datei ist leer.", "empty_file")
    kind = sniff(data)
    if kind is None:
        raise ImageRejected(
            "Nur Bilder im Format JPEG, PNG, WebP oder GIF können hochgeladen werden.",
            "unsupported_type",
        )
    if _contains_markup(data):
        raise ImageRejected(
            "Die Datei enthält neben dem Bild weitere Inhalte (z. B. HTML) und wird abgelehnt.",
            "polyglot",
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns at MAX_IMAGE_PIXELS and raises at twice that; we refuse at the warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _reencode(data, kind)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(
            "Die Datei ist kein vollständiges, lesbares Bild.", "corrupt_image"
        ) from exc


def _bomb() -> ImageRejected:
    return ImageRejected(
        f"Das Bild ist zu groß (mehr als {MAX_PIXELS // 1_000_000} Megapixel).", "too_many_pixels"
    )


def _reencode(data: bytes, kind: str) -> CleanImage:
    # First pass: header and structure only, no pixels decoded.
    with Image.open(io.BytesIO(data), formats=[kind]) as probe:
        if probe.format != kind:
            raise ImageRejected("Der Dateiinhalt passt nicht zum Bildformat.", "type_mismatch")
        if probe.width * probe.height > MAX_PIXELS:
            raise _bomb()
        frames = getattr(probe, "n_frames", 1)
        if frames > MAX_FRAMES:
            raise ImageRejected(
                f"Die Animation hat zu viele Einzelbilder (mehr als {MAX_FRAMES}).",
                "too_many_frames",
            )
        probe.verify()
    # Second pass: decode every pixel (a truncated file fails here) and write anew.
    with Image.open(io.BytesIO(data), formats=[kind]) as image:
        image.load()
        mime, extension = FORMATS[kind]
        out = io.BytesIO()
        if kind == "JPEG":
            picture = _to_srgb(ImageOps.exif_transpose(image))
            if picture.mode not in ("RGB", "L"):
                picture = picture.convert("RGB")
            picture.info = {}
            picture.save(out, "JPEG", quality=90, optimize=True)
        elif kind == "PNG":
            picture = ImageOps.exif_transpose(image)
            _strip(picture)
            picture.save(out, "PNG", optimize=False)
        elif getattr(image, "n_frames", 1) > 1:
            picture = _save_animation(image, kind, out)
        else:
            picture = ImageOps.exif_transpose(image)
            _strip(picture)
            options: dict[str, Any] = {"quality": 90} if kind == "WEBP" else {}
            picture.save(out, kind, **options)
        content = out.getvalue()
    return CleanImage(content, mime, extension, picture.width, picture.height)


_KEEP_INFO = frozenset({"transparency", "duration", "loop", "background", "disposal"})


def _strip(image: Image.Image) -> None:
    """Drop everything from ``info`` that is metadata rather than how to draw the image."""
    image.info = {k: v for k, v in image.info.items() if k in _KEEP_INFO}


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert an image with an embedded colour profile to sRGB, so dropping the profile does
    not shift its colours."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _save_animation(image: Image.Image, kind: str, out: io.BytesIO) -> Image.Image:
    frames = []
    durations = []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 100))
        copy = frame.copy()
        _strip(copy)
        frames.append(copy)
    first = frames[0]
    options: dict[str, Any] = {"loop": image.info.get("loop", 0), "duration": durations}
    if kind == "WEBP":
        options["quality"] = 90
    first.save(out, kind, save_all=True, append_images=frames[1:], **options)
    return first


def to_jpeg(data: bytes, *, quality: int = 90) -> bytes:
    """A JPEG of a stored image (first frame), for platforms that take nothing else: colours in
    sRGB, transparency flattened onto white, no metadata (no EXIF, no ICC profile)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        picture = _to_srgb(image)
        if picture.mode in ("RGBA", "LA") or (
            picture.mode == "P" and "transparency" in picture.info
        ):
            rgba = picture.convert("RGBA")
            canvas = Image.new("RGB", rgba.size, (255, 255, 255))
            canvas.paste(rgba, mask=rgba.getchannel("A"))
            picture = canvas
        elif picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.info = {}
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality, optimize=True)
        return out.getvalue()
