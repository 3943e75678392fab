"""Media uploads: checked on content, re-encoded, stored by content address, read in scope."""

from __future__ import annotations

import asyncio
import hashlib
import re
import unicodedata
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.audit.service import audit_service
from app.auth.permissions import Permission
from app.auth.subject import AuthSubject
from app.config import Settings
from app.kit.errors import AppError, FieldError, Forbidden, NotFound, Unprocessable
from app.kit.http import UPLOAD_MAX_BYTES
from app.kit.time import utc_now
from app.media import renditions, signing, storage
from app.media.images import ImageRejected, clean_image
from app.media.schemas import MediaRead
from app.posts.models import MediaAsset

_UNSAFE = re.compile(r"[^\w.\- ]+")


class MediaTooLarge(AppError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


def safe_filename(name: str | None, extension: str) -> str:
    """The uploaded name reduced to letters, digits, ``.-_`` and spaces, with the extension of
    the detected format (never the one the client claimed)."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    stem = _UNSAFE.sub("_", base.rsplit(".", 1)[0] if "." in base else base).strip(" ._")
    return f"{(stem or 'bild')[:200]}.{extension}"


def media_read(asset: MediaAsset) -> MediaRead:
    return MediaRead.model_validate(
        {**asset.model_dump(), "content_url": f"/api/v1/media/{asset.id}/content"}
    )


class MediaService:
    def statement(
        self, subject: AuthSubject, permission: Permission = Permission.posts_read
    ) -> Select[Any]:
        return select(MediaAsset).where(
            col(MediaAsset.organization_id) == subject.organization_id,
            col(MediaAsset.clinic_id).in_(subject.clinic_ids(permission)),
        )

    async def get(
        self, session: AsyncSession, subject: AuthSubject, media_id: uuid.UUID
    ) -> MediaAsset:
        statement = self.statement(subject).where(col(MediaAsset.id) == media_id)
        asset: MediaAsset | None = (await session.execute(statement)).scalar_one_or_none()
        if asset is None:
            raise NotFound("No such media.")
        return asset

    async def upload(
        self,
        session: AsyncSession,
        subject: AuthSubject,
        settings: Settings,
        *,
        clinic_id: uuid.UUID,
        filename: str | None,
        data: bytes,
    ) -> MediaAsset:
        if clinic_id not in subject.clinic_ids(Permission.posts_read):
            raise Unprocessable(
                "No such clinic.",
                errors=[
                    FieldError(
                        field="body.clinic_id", message="No such clinic.", type="value_error"
                    )
                ],
            )
        if clinic_id not in subject.clinic_ids(Permission.posts_write):
            raise Forbidden("Your role does not allow uploading media for this clinic.")
        if len(data) > UPLOAD_MAX_BYTES:
            raise MediaTooLarge(
                f"Die Datei ist größer als {UPLOAD_MAX_BYTES // (1024 * 1024)} MiB."
            )
        try:
            image = await asyncio.to_thread(clean_image, data)
        except ImageRejected as exc:
            raise Unprocessable(
                exc.message,
                errors=[FieldError(field="body.file", message=exc.message, type=exc.code)],
            ) from None
        sha256 = hashlib.sha256(image.content).hexdigest()
        key = storage.storage_key(subject.organization_id, sha256, image.extension)
        await asyncio.to_thread(storage.write, settings, key, image.content)
        asset = MediaAsset(
            organization_id=subject.organization_id,
            clinic_id=clinic_id,
            uploaded_by_id=subject.user.id,
            filename=safe_filename(filename, image.extension),
            content_type=image.mime,
            size_bytes=len(image.content),
            width=image.width,
            height=image.height,
            sha256=sha256,
            storage_key=key,
        )
        session.add(asset)
        await session.flush()
        await audit_service.record(
            session, "media.uploaded", subject=subject, clinic_id=clinic_id,
            target_type="media", target_id=asset.id,
            details={"content_type": image.mime, "size_bytes": asset.size_bytes,
                     "received_bytes": len(data)},
        )  # fmt: skip
        return asset

    def file(self, settings: Settings, asset: MediaAsset) -> Path:
        try:
            path = storage.path_for(settings, asset.storage_key)
        except storage.MediaMissing:
            raise NotFound("No such media.") from None
        if not path.is_file():
            raise NotFound("No such media.")
        return path

    async def public(
        self,
        session: AsyncSession,
        settings: Settings,
        secret: str,
        media_id: uuid.UUID,
        exp: int,
        sig: str,
        rendition: str | None = None,
    ) -> tuple[MediaAsset, Path, str]:
        """The asset behind a signed URL, the file to serve and its type. Every failure is the
        same 404, and the signature is checked before the database is asked, so nothing tells
        whether an id exists. ``rendition="jpeg"``: the JPEG rendition (derived if needed)."""
        if not signing.verify(secret, media_id, exp, sig, utc_now(), rendition):
            raise NotFound("No such media.")
        asset = await session.get(MediaAsset, media_id)
        if asset is None:
            raise NotFound("No such media.")
        path = self.file(settings, asset)
        if rendition == "jpeg" and asset.content_type in renditions.TO_JPEG:
            await asyncio.to_thread(renditions.ensure_jpeg, settings, asset.storage_key)
            return (
                asset,
                storage.path_for(settings, renditions.jpeg_key(asset.storage_key)),
                ("image/jpeg"),
            )
        return asset, path, asset.content_type


media_service = MediaService()
