"""Bluesky connector: app-password sessions, posts with facets and images, exactly-once by rkey.

Exactly-once: every publication gets a deterministic record key (a TID derived from the
publication id, :func:`~app.connectors.bluesky.richtext.record_key_for`). ``publish`` first reads
that key: a post already there raises :class:`DuplicatePost` with its AT-URI. Otherwise it uploads
the images (invisible; unreferenced blobs are dropped by the PDS) and calls ``createRecord`` with
that key, once. The reference PDS answers a second ``createRecord`` on a taken key with HTTP 500,
so after any 5xx, timeout or lost connection on that call ``publish`` reads the key again: a
record there means the post exists (it is returned), none after a 5xx means it was not created.
``lookup`` is a ``getRecord`` by the same key.

The account's ``platform_account_id`` is its DID; ``instance_url`` its PDS (from the session's DID
document at login). Credentials are the session JWTs; the app password is used only by
:meth:`BlueskyConnector.login` and is never stored here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import httpx

from app.connectors.base import (
    UPLOAD_TIMEOUT,
    Account,
    AuthExpired,
    Connector,
    Credentials,
    DuplicatePost,
    MediaItem,
    PermanentError,
    Platform,
    PlatformLimits,
    PublishRequest,
    PublishResult,
    TransientError,
    ValidationIssue,
)
from app.connectors.bluesky.client import (
    RecordExists,
    RecordNotFound,
    Session,
    XrpcClient,
    jwt_expiry,
)
from app.connectors.bluesky.richtext import (
    MAX_GRAPHEMES,
    MAX_TEXT_BYTES,
    facets_for,
    grapheme_count,
    record_key_for,
)
from app.connectors.settings import ConnectorSettings

POST_COLLECTION = "app.bsky.feed.post"
WEB_URL = "https://bsky.app"

LIMITS = PlatformLimits(
    text_max=MAX_GRAPHEMES,
    text_unit="graphemes",
    max_media=4,
    max_videos=0,  # video goes through Bluesky's video service: not supported yet
    image_mimes=("image/jpeg", "image/png", "image/webp", "image/gif"),
    image_max_bytes=1_000_000,  # app.bsky.embed.images; the PDS itself does not enforce it
)


def compose_text(request: PublishRequest) -> str:
    """The post text: the request's text, with ``link`` appended when it is not already in it."""
    text = request.text.strip()
    if request.link and request.link not in text:
        text = f"{text}\n\n{request.link}" if text else request.link
    return text


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_iso(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _split_uri(uri: str) -> tuple[str, str, str]:
    """``at://did/collection/rkey`` → (did, collection, rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
        raise PermanentError(f"not a record AT-URI: {uri!r}", user_message="Ungültige Beitrags-ID.")
    return parts[0], parts[1], parts[2]


def web_url(did: str, rkey: str) -> str:
    return f"{WEB_URL}/profile/{did}/post/{rkey}"


class BlueskyConnector:
    """The :class:`~app.connectors.base.Connector` for Bluesky (any AT Protocol PDS)."""

    platform = Platform.BLUESKY
    limits = LIMITS

    def __init__(self, settings: ConnectorSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    def _client(self, base_url: str | None = None) -> XrpcClient:
        return XrpcClient(self._http, base_url or self._settings.bluesky_pds_url)

    def _account_client(self, account: Account) -> XrpcClient:
        return self._client(account.instance_url)

    # --- accounts -------------------------------------------------------------------------------

    @staticmethod
    def _credentials(session: Session) -> Credentials:
        return Credentials(
            access_token=session.access_jwt,
            refresh_token=session.refresh_jwt,
            expires_at=jwt_expiry(session.access_jwt),
            refresh_expires_at=jwt_expiry(session.refresh_jwt),
        )

    async def login(
        self, identifier: str, app_password: str, *, service_url: str | None = None
    ) -> Account:
        """Connect an account with handle (or email/DID) and an app password.

        ``service_url`` is where to log in (default: the configured PDS, ``bsky.social``); the
        returned account talks to its own PDS from the DID document. A wrong handle or password
        raises :class:`PermanentError` with a German message for the form.
        """
        base = (service_url or self._settings.bluesky_pds_url).rstrip("/")
        session = await self._client(base).create_session(identifier, app_password)
        return Account(
            platform=Platform.BLUESKY,
            platform_account_id=session.did,
            credentials=self._credentials(session),
            handle=session.handle,
            instance_url=session.pds_url or base,
        )

    async def refresh_token(self, account: Account) -> Credentials:
        refresh = account.credentials.refresh_token
        if not refresh:
            raise AuthExpired(
                "bluesky account has no refresh token",
                user_message="Die Bluesky-Sitzung ist abgelaufen; bitte das Konto neu verbinden.",
            )
        session = await self._account_client(account).refresh_session(refresh)
        return self._credentials(session)

    # --- validation -----------------------------------------------------------------------------

    def validate(self, request: PublishRequest) -> list[ValidationIssue]:
        issues: list[ValidationIssue] = []
        text = compose_text(request)
        graphemes = grapheme_count(text)
        if graphemes > MAX_GRAPHEMES:
            issues.append(
                ValidationIssue(
                    "text",
                    "text_too_long",
                    f"Der Text ist für Bluesky zu lang: {graphemes} von höchstens "
                    f"{MAX_GRAPHEMES} Zeichen.",
                )
            )
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            issues.append(
                ValidationIssue(
                    "text",
                    "text_too_many_bytes",
                    f"Der Text ist für Bluesky zu lang (mehr als {MAX_TEXT_BYTES} Bytes).",
                )
            )
        if not text and not request.media:
            issues.append(
                ValidationIssue("text", "empty", "Der Beitrag braucht einen Text oder ein Bild.")
            )
        issues.extend(self._validate_media(request.media))
        return issues

    def _validate_media(self, media: Sequence[MediaItem]) -> list[ValidationIssue]:
        issues: list[ValidationIssue] = []
        if any(item.kind != "image" for item in media):
            issues.append(
                ValidationIssue(
                    "media",
                    "media_kind_unsupported",
                    "Bluesky-Beiträge können hier nur Bilder enthalten (keine Videos oder GIFs).",
                )
            )
        if len(media) > LIMITS.max_media:
            issues.append(
                ValidationIssue(
                    "media",
                    "too_many_media",
                    f"Bluesky erlaubt höchstens {LIMITS.max_media} Bilder je Beitrag.",
                )
            )
        for index, item in enumerate(media):
            where = f"media[{index}]"
            if item.kind == "image" and item.mime not in LIMITS.image_mimes:
                issues.append(
                    ValidationIssue(
                        where,
                        "media_type_unsupported",
                        f"Bildformat {item.mime} wird von Bluesky nicht unterstützt "
                        "(JPEG, PNG, WebP oder GIF).",
                    )
                )
            size = len(item.content) if item.content is not None else item.size_bytes
            if LIMITS.image_max_bytes is not None and size > LIMITS.image_max_bytes:
                issues.append(
                    ValidationIssue(
                        where,
                        "media_too_large",
                        f"Bild {index + 1} ist zu groß für Bluesky: {size:,} Bytes, höchstens "
                        f"{LIMITS.image_max_bytes:,}.".replace(",", "."),
                    )
                )
            if not (item.alt_text or "").strip():
                issues.append(
                    ValidationIssue(
                        where,
                        "alt_text_missing",
                        f"Bild {index + 1} hat keinen Alternativtext (Barrierefreiheit).",
                        blocking=False,
                    )
                )
        return issues

    # --- publishing -----------------------------------------------------------------------------

    async def _media_bytes(self, item: MediaItem) -> bytes:
        if item.content is not None:
            return item.content
        try:
            response = await self._http.get(item.url, timeout=UPLOAD_TIMEOUT)
        except httpx.HTTPError as exc:
            raise TransientError(f"media download failed ({type(exc).__name__})") from None
        if response.status_code >= 500:
            raise TransientError(f"media download: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentError(
                f"media download: HTTP {response.status_code}",
                user_message="Ein Bild konnte nicht geladen werden.",
            )
        return response.content

    def _result(self, did: str, rkey: str, uri: str, created_at: Any) -> PublishResult:
        return PublishResult(
            platform_post_id=uri, url=web_url(did, rkey), published_at=_parse_iso(created_at)
        )

    async def _existing(self, client: XrpcClient, did: str, rkey: str) -> PublishResult | None:
        try:
            record = await client.get_record(did, POST_COLLECTION, rkey)
        except RecordNotFound:
            return None
        value = record.get("value")
        created_at = value.get("createdAt") if isinstance(value, dict) else None
        uri = str(record.get("uri") or f"at://{did}/{POST_COLLECTION}/{rkey}")
        return self._result(did, rkey, uri, created_at)

    async def publish(self, account: Account, request: PublishRequest) -> PublishResult:
        blocking = [issue for issue in self.validate(request) if issue.blocking]
        if blocking:
            raise PermanentError(
                "bluesky: invalid post (" + ", ".join(i.code for i in blocking) + ")",
                user_message=" ".join(issue.message for issue in blocking),
            )
        client = self._account_client(account)
        did = account.platform_account_id
        rkey = record_key_for(request.publication_id)

        existing = await self._existing(client, did, rkey)
        if existing is not None:
            raise DuplicatePost(
                f"bluesky: publication already posted as {existing.platform_post_id}",
                existing_id=existing.platform_post_id,
            )

        text = compose_text(request)
        created_at = _now_iso()
        record: dict[str, Any] = {"$type": POST_COLLECTION, "text": text, "createdAt": created_at}
        facets = facets_for(text)
        if facets:
            record["facets"] = facets
        if request.language:
            record["langs"] = [request.language]
        if request.media:
            token = account.credentials.access_token
            images = []
            for item in request.media:
                blob = await client.upload_blob(token, await self._media_bytes(item), item.mime)
                images.append({"alt": item.alt_text or "", "image": blob})
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}

        try:
            ref = await client.create_record(
                account.credentials.access_token, did, POST_COLLECTION, rkey, record
            )
        except RecordExists:
            existing = await self._existing(client, did, rkey)
            raise DuplicatePost(
                "bluesky: record key already taken",
                existing_id=existing.platform_post_id if existing else None,
            ) from None
        except TransientError as error:
            if not (error.outcome_unknown or (error.http_status or 0) >= 500):
                raise
            # The call may have created the post, or the key was taken (the PDS answers 500):
            # the record under our key decides.
            try:
                existing = await self._existing(client, did, rkey)
            except TransientError:
                raise error from None
            if existing is not None:
                return existing
            if error.http_status == 500:  # the PDS itself answered: nothing was created
                raise TransientError(
                    error.message,
                    retry_after=error.retry_after,
                    outcome_unknown=False,
                    platform_code=error.platform_code,
                    http_status=error.http_status,
                ) from None
            raise
        return self._result(did, rkey, ref.uri, created_at)

    async def lookup(
        self, account: Account, request: PublishRequest, since: dt.datetime
    ) -> PublishResult | None:
        """The post under the publication's record key (``since`` is not needed: the key is
        deterministic), or ``None``."""
        client = self._account_client(account)
        return await self._existing(
            client, account.platform_account_id, record_key_for(request.publication_id)
        )

    async def delete(self, account: Account, platform_post_id: str) -> None:
        did, collection, rkey = _split_uri(platform_post_id)
        if did != account.platform_account_id or collection != POST_COLLECTION:
            raise PermanentError(
                f"bluesky: {platform_post_id} is not a post of this account",
                user_message="Der Beitrag gehört nicht zu diesem Bluesky-Konto.",
            )
        # deleteRecord on a key that is already gone answers 200: deleting twice is fine.
        await self._account_client(account).delete_record(
            account.credentials.access_token, did, collection, rkey
        )

    async def exists(self, account: Account, platform_post_id: str) -> bool:
        """``com.atproto.repo.getRecord`` on the post's key (public, like :meth:`lookup`);
        ``RecordNotFound`` → False."""
        did, collection, rkey = _split_uri(platform_post_id)
        try:
            await self._account_client(account).get_record(did, collection, rkey)
        except RecordNotFound:
            return False
        return True


def create_connector(settings: ConnectorSettings, http: httpx.AsyncClient) -> BlueskyConnector:
    return BlueskyConnector(settings, http)


def _conforms(connector: BlueskyConnector) -> Connector:
    """Lets mypy check that :class:`BlueskyConnector` satisfies the connector protocol."""
    return connector
