"""Generic offline checks against :class:`~app.connectors.base.PlatformLimits`."""

from __future__ import annotations

from app.connectors.base import PermanentError, PlatformLimits, PublishRequest, ValidationIssue
from app.connectors.text import hashtags


def check_common(
    request: PublishRequest, limits: PlatformLimits, text_length: int
) -> list[ValidationIssue]:
    """Issues for text length (already measured in the platform's unit), hashtags and media."""
    issues: list[ValidationIssue] = []
    if text_length > limits.text_max:
        issues.append(
            ValidationIssue(
                "text",
                "text_too_long",
                f"Der Text ist {text_length} Zeichen lang; erlaubt sind {limits.text_max}.",
            )
        )
    if not request.text.strip() and not request.media and not request.link:
        issues.append(ValidationIssue("text", "empty", "Der Beitrag ist leer."))
    tags = hashtags(request.text)
    if limits.hashtag_max is not None and len(tags) > limits.hashtag_max:
        issues.append(
            ValidationIssue(
                "text",
                "too_many_hashtags",
                f"Der Text enthält {len(tags)} Hashtags; erlaubt sind {limits.hashtag_max}.",
            )
        )
    if limits.requires_media and not request.media:
        issues.append(
            ValidationIssue(
                "media", "media_required", "Diese Plattform braucht ein Bild oder Video."
            )
        )
    if len(request.media) > limits.max_media:
        issues.append(
            ValidationIssue(
                "media",
                "too_many_media",
                f"{len(request.media)} Anhänge; erlaubt sind {limits.max_media}.",
            )
        )
    videos = [m for m in request.media if m.kind == "video"]
    if len(videos) > limits.max_videos or (videos and len(request.media) > len(videos)):
        issues.append(
            ValidationIssue(
                "media",
                "video_mix",
                f"Höchstens {limits.max_videos} Video, nicht gemischt mit Bildern.",
            )
        )
    for index, item in enumerate(request.media):
        where = f"media[{index}]"
        allowed = limits.video_mimes if item.kind == "video" else limits.image_mimes
        max_bytes = limits.video_max_bytes if item.kind == "video" else limits.image_max_bytes
        if item.mime not in allowed:
            issues.append(
                ValidationIssue(
                    where,
                    "unsupported_format",
                    f"Das Format {item.mime} wird nicht unterstützt ({', '.join(allowed)}).",
                )
            )
        if max_bytes is not None and item.size_bytes > max_bytes:
            issues.append(
                ValidationIssue(
                    where,
                    "file_too_large",
                    f"Die Datei ist {item.size_bytes / 1_048_576:.1f} MiB groß; "
                    f"erlaubt sind {max_bytes / 1_048_576:.1f} MiB.",
                )
            )
        if not item.alt_text:
            issues.append(
                ValidationIssue(
                    where,
                    "alt_text_missing",
                    "Bitte einen Alternativtext für Menschen mit Sehbehinderung angeben.",
                    blocking=False,
                )
            )
        elif limits.alt_text_max is not None and len(item.alt_text) > limits.alt_text_max:
            issues.append(
                ValidationIssue(
                    where,
                    "alt_text_too_long",
                    f"Der Alternativtext ist {len(item.alt_text)} Zeichen lang; "
                    f"erlaubt sind {limits.alt_text_max}.",
                )
            )
    return issues


def refuse_invalid(issues: list[ValidationIssue]) -> None:
    """Raise :class:`PermanentError` with the German messages of the blocking issues."""
    blocking = [issue for issue in issues if issue.blocking]
    if blocking:
        raise PermanentError(
            f"invalid request: {', '.join(issue.code for issue in blocking)}",
            user_message=" ".join(issue.message for issue in blocking),
        )
