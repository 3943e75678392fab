from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import FileResponse

from app.auth.dependencies import PostsRead, PostsWrite
from app.kit.db import DbSession
from app.kit.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from app.kit.http import UPLOAD_MAX_BYTES
from app.media.schemas import MediaRead
from app.media.service import MediaTooLarge, media_read, media_service
from app.posts.models import MediaAsset

ERRORS: dict[int | str, dict[str, Any]] = {401: Unauthorized.doc(), 403: Forbidden.doc()}
IMAGE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The re-encoded image.",
        "content": {
            mime: {"schema": {"type": "string", "format": "binary"}}
            for mime in ("image/jpeg", "image/png", "image/webp", "image/gif")
        },
    }
}
router = APIRouter(prefix="/media", tags=["media"])


def _image(asset: MediaAsset, path: Any, media_type: str | None = None) -> FileResponse:
    filename = asset.filename
    if media_type and media_type != asset.content_type:
        filename = filename.rsplit(".", 1)[0] + ".jpg"
    return FileResponse(
        path,
        media_type=media_type or asset.content_type,
        filename=filename,
        content_disposition_type="inline",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/public/{media_id}",
    response_class=FileResponse,
    responses={**IMAGE_RESPONSE, 404: NotFound.doc()},
)
async def public_media(
    media_id: uuid.UUID,
    request: Request,
    session: DbSession,
    exp: Annotated[int, Query(description="Expiry, Unix seconds.")],
    sig: Annotated[str, Query(max_length=100, description="The URL's signature.")],
    rendition: Annotated[
        Literal["jpeg"] | None,
        Query(description="A derived rendition the URL was signed for (JPEG for Instagram)."),
    ] = None,
) -> FileResponse:
    """Public on purpose: the short-lived signed URL (about 1 h) the publisher hands to
    platforms that fetch images themselves (Facebook, Instagram). Serves only the re-encoded
    image; an unknown id, a wrong signature or an expired link all answer the same 404."""
    asset, path, media_type = await media_service.public(
        session, request.app.state.settings, request.app.state.signing_key, media_id, exp, sig,
        rendition,
    )  # fmt: skip
    return _image(asset, path, media_type)


@router.post(
    "",
    response_model=MediaRead,
    status_code=status.HTTP_201_CREATED,
    responses={**ERRORS, 413: MediaTooLarge.doc(), 422: Unprocessable.doc()},
)
async def upload_media(
    request: Request,
    subject: PostsWrite,
    session: DbSession,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or GIF, at most 20 MiB.")],
    clinic_id: Annotated[uuid.UUID, Form()],
) -> MediaRead:
    """Upload an image for the posts of one clinic (`posts.write` there). The type is taken
    from the content; the image is re-encoded without metadata (EXIF, GPS, times) and stored
    outside any served path. SVG, HTML, polyglots, truncated files and images over 40
    megapixels answer 422; bodies over 20 MiB 413."""
    data = await file.read(UPLOAD_MAX_BYTES + 1)
    asset = await media_service.upload(
        session, subject, request.app.state.settings,
        clinic_id=clinic_id, filename=file.filename, data=data,
    )  # fmt: skip
    return media_read(asset)


@router.get("/{media_id}", response_model=MediaRead, responses={**ERRORS, 404: NotFound.doc()})
async def get_media(media_id: uuid.UUID, subject: PostsRead, session: DbSession) -> MediaRead:
    return media_read(await media_service.get(session, subject, media_id))


@router.get(
    "/{media_id}/content",
    response_class=FileResponse,
    responses={**ERRORS, **IMAGE_RESPONSE, 404: NotFound.doc()},
)
async def get_media_content(
    media_id: uuid.UUID, request: Request, subject: PostsRead, session: DbSession
) -> FileResponse:
    """The stored image, `inline` with its file name and detected type (`nosniff`)."""
    asset = await media_service.get(session, subject, media_id)
    return _image(asset, media_service.file(request.app.state.settings, asset))
