"""Meta webhooks: the signature over the raw body, the dedupe key of a delivery, and the
translation of ``page`` (``feed``), ``instagram`` (``comments``) and Messenger-style
``messaging`` entries into inbox events (platforms.md §2.5, §3.5)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.connectors.base import Platform
from app.inbox.models import Direction, ThreadKind

SIGNATURE_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """``X-Hub-Signature-256`` for ``body``: ``sha256=<hex HMAC-SHA256(secret, body)>``."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    """Constant-time comparison over the exact bytes received (never re-serialised JSON)."""
    if not header.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().lower().encode())


def parse(body: bytes) -> dict[str, Any] | None:
    """The envelope, or None when the body is not a JSON object with ``entry``."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        return None
    return data


def _item_keys(envelope: dict[str, Any]) -> list[str]:
    keys: list[str] = []
    for entry in envelope.get("entry", []):
        if not isinstance(entry, dict):
            continue
        account = str(entry.get("id", ""))
        when = str(entry.get("time", ""))
        for change in entry.get("changes", []) or []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            object_id = value.get("comment_id") or value.get("id") or value.get("post_id")
            verb = value.get("verb", "add")
            keys.append(f"{account}|{change.get('field')}|{object_id}|{verb}|{when}")
        for event in entry.get("messaging", []) or []:
            if not isinstance(event, dict):
                continue
            message = event.get("message") if isinstance(event.get("message"), dict) else {}
            mid = message.get("mid") if message else None
            keys.append(f"{account}|messaging|{mid}|{event.get('timestamp')}")
    return keys


def dedupe_key(envelope: dict[str, Any] | None, body: bytes) -> str:
    """Hash of the platform ids the delivery carries (object ids, verbs, change times); a
    platform retry carries the same ids. Without recognisable ids: hash of the body."""
    keys = _item_keys(envelope) if envelope else []
    if not keys:
        return "body:" + hashlib.sha256(body).hexdigest()
    material = "\n".join(sorted(set(keys))).encode()
    return "ids:" + hashlib.sha256(material).hexdigest()


@dataclass(frozen=True)
class Item:
    """One comment or message of a delivery, for the channel with ``account_id``."""

    platform: Platform
    account_id: str
    action: str
    """``add`` (store once), ``edited`` (store, or update the text), ``remove``, ``hide``,
    ``unhide`` (flag the stored message hidden or visible)."""
    kind: ThreadKind
    platform_thread_id: str
    platform_message_id: str
    author_platform_id: str
    text: str
    sent_at: datetime
    direction: Direction
    author_handle: str | None = None
    author_name: str | None = None
    platform_object_id: str | None = None


def _when(value: Any, fallback: Any = None, *, millis: bool = False) -> datetime:
    for candidate in (value, fallback):
        if isinstance(candidate, int | float) and not isinstance(candidate, bool):
            return datetime.fromtimestamp(candidate / 1000 if millis else candidate, UTC)
        if isinstance(candidate, str) and candidate:
            try:
                parsed = datetime.fromisoformat(candidate.replace("Z", "+00:00"))
            except ValueError:
                continue
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            # Graph writes "+0000"; fromisoformat accepts it since Python 3.11.
            return parsed.astimezone(UTC)
    return datetime.now(UTC)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _feed_item(account: str, entry: dict[str, Any], value: dict[str, Any]) -> Item | None:
    if value.get("item") != "comment" or not value.get("comment_id"):
        return None  # reactions, posts, shares: not inbox material
    comment_id = str(value["comment_id"])
    post_id = str(value.get("post_id") or "")
    parent = str(value.get("parent_id") or post_id)
    author = _dict(value.get("from"))
    author_id = str(author.get("id") or "")
    return Item(
        platform=Platform.FACEBOOK,
        account_id=account,
        action=str(value.get("verb") or "add"),
        kind=ThreadKind.comment,
        # A top-level comment opens a thread; replies (parent = that comment) join it.
        platform_thread_id=comment_id if parent == post_id or not parent else parent,
        platform_message_id=comment_id,
        author_platform_id=author_id or "unknown",
        author_name=author.get("name"),
        text=str(value.get("message") or ""),
        sent_at=_when(value.get("created_time"), entry.get("time")),
        direction=Direction.outbound if author_id == account else Direction.inbound,
        platform_object_id=post_id or None,
    )


def _instagram_item(account: str, entry: dict[str, Any], value: dict[str, Any]) -> Item | None:
    comment_id = value.get("id")
    if not comment_id:
        return None
    author = _dict(value.get("from"))
    author_id = str(author.get("id") or "")
    media = _dict(value.get("media"))
    parent = value.get("parent_id")
    return Item(
        platform=Platform.INSTAGRAM,
        account_id=account,
        action=str(value.get("verb") or "add"),
        kind=ThreadKind.comment,
        platform_thread_id=str(parent or comment_id),
        platform_message_id=str(comment_id),
        author_platform_id=author_id or "unknown",
        author_handle=author.get("username"),
        text=str(value.get("text") or ""),
        sent_at=_when(value.get("timestamp"), entry.get("time")),
        direction=Direction.outbound if author_id == account else Direction.inbound,
        platform_object_id=str(media["id"]) if media.get("id") else None,
    )


def _messaging_item(platform: Platform, account: str, event: dict[str, Any]) -> Item | None:
    message = event.get("message")
    if not isinstance(message, dict) or not message.get("mid"):
        return None  # reads, deliveries, postbacks: nothing to show
    sender = str(_dict(event.get("sender")).get("id") or "")
    recipient = str(_dict(event.get("recipient")).get("id") or "")
    outbound = bool(message.get("is_echo")) or sender == account
    person = recipient if outbound else sender
    text = message.get("text")
    if not text:
        text = "[Anhang]" if message.get("attachments") else ""
    return Item(
        platform=platform,
        account_id=account,
        action="add",
        kind=ThreadKind.direct_message,
        platform_thread_id=f"dm:{person}",
        platform_message_id=str(message["mid"]),
        author_platform_id=sender or "unknown",
        text=str(text),
        sent_at=_when(event.get("timestamp"), millis=True),
        direction=Direction.outbound if outbound else Direction.inbound,
    )


def items(envelope: dict[str, Any]) -> list[Item]:
    """Every comment and message of the delivery, in delivery order."""
    kind = envelope.get("object")
    platform = Platform.INSTAGRAM if kind == "instagram" else Platform.FACEBOOK
    found: list[Item] = []
    for entry in envelope.get("entry", []):
        if not isinstance(entry, dict) or not entry.get("id"):
            continue
        account = str(entry["id"])
        for change in entry.get("changes", []) or []:
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                continue
            field = change.get("field")
            item = None
            if kind == "page" and field == "feed":
                item = _feed_item(account, entry, change["value"])
            elif kind == "instagram" and field == "comments":
                item = _instagram_item(account, entry, change["value"])
            if item is not None:
                found.append(item)
        for event in entry.get("messaging", []) or []:
            if isinstance(event, dict) and (item := _messaging_item(platform, account, event)):
                found.append(item)
    return found


def accounts(envelope: dict[str, Any]) -> list[str]:
    return sorted(
        {str(e["id"]) for e in envelope.get("entry", []) if isinstance(e, dict) and e.get("id")}
    )
