"""Graph (Facebook Pages, Instagram) error mapping from recorded real error bodies; validation."""

from __future__ import annotations

import json

import httpx
import pytest

from app.connectors._graph import map_error, usage_percent
from app.connectors.base import (
    AuthExpired,
    DuplicatePost,
    MediaItem,
    PermanentError,
    PublishRequest,
    RateLimited,
    TransientError,
)
from app.connectors.instagram.connector import InstagramConnector
from app.connectors.settings import ConnectorSettings


def _response(
    body: dict[str, object], status: int = 400, headers: dict[str, str] | None = None
) -> httpx.Response:
    request = httpx.Request("POST", "https://graph.facebook.com/v24.0/1/feed")
    return httpx.Response(status, json=body, headers=headers, request=request)


def _error(code: int, subcode: int | None = None, **extra: object) -> dict[str, object]:
    error: dict[str, object] = {
        "message": f"(#{code}) sample",
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEf",
        **extra,
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.mark.parametrize("subcode", [None, 460, 463, 467])
def test_190_is_auth_expired(subcode: int | None) -> None:
    assert isinstance(map_error(_response(_error(190, subcode), 401)), AuthExpired)


def test_page_throttle_uses_buc_estimated_time() -> None:
    buc = {"123": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]}
    body = {
        "error": {
            "message": "(#80001) There have been too many calls to this Page account. Wait a bit "
            "and try again.",
            "type": "OAuthException",
            "code": 80001,
            "fbtrace_id": "A1",
        }
    }
    error = map_error(_response(body, headers={"X-Business-Use-Case-Usage": json.dumps(buc)}))
    assert isinstance(error, RateLimited)
    assert error.retry_after == 420.0
    assert error.scope == "account"


@pytest.mark.parametrize("code", [4, 17, 32])
def test_other_throttle_codes(code: int) -> None:
    usage = {"call_count": 100, "total_time": 20, "total_cputime": 10}
    error = map_error(_response(_error(code), headers={"X-App-Usage": json.dumps(usage)}))
    assert isinstance(error, RateLimited)
    assert error.retry_after == 3600.0
    assert error.scope == ("app" if code == 4 else "account")


def test_usage_percent_reads_both_headers() -> None:
    headers = httpx.Headers(
        {
            "X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}',
            "X-Business-Use-Case-Usage": '{"1":[{"type":"pages","call_count":97}]}',
        }
    )
    assert usage_percent(headers) == 97.0


def test_506_is_duplicate() -> None:
    body = _error(506, message="Duplicate status message", error_user_msg="Doppelter Beitrag")
    assert isinstance(map_error(_response(body)), DuplicatePost)


@pytest.mark.parametrize(
    "body",
    [_error(1), _error(2), _error(100, is_transient=True), _error(-1, 2207001)],
)
def test_transient(body: dict[str, object]) -> None:
    error = map_error(_response(body, 500), visible=True)
    assert isinstance(error, TransientError)
    assert error.outcome_unknown


def test_permanent_carries_error_user_msg() -> None:
    body = {
        "error": {
            "message": "The image size is too large.",
            "type": "OAuthException",
            "code": 36000,
            "error_subcode": 2207004,
            "is_transient": False,
            "error_user_title": "Image size too large",
            "error_user_msg": "The image is too large to download. It should be less than 8 MiB.",
            "fbtrace_id": "B2",
        }
    }
    error = map_error(_response(body))
    assert isinstance(error, PermanentError)
    assert error.user_message == body["error"]["error_user_msg"]  # type: ignore[index]
    assert error.platform_code == "36000/2207004"


def test_ig_quota_subcode_is_publish_quota() -> None:
    error = map_error(_response(_error(9, 2207042)))
    assert isinstance(error, RateLimited)
    assert error.scope == "publish_quota"


def test_non_json_5xx_is_transient() -> None:
    request = httpx.Request("GET", "https://graph.facebook.com/v24.0/1")
    error = map_error(httpx.Response(502, text="Bad Gateway", request=request))
    assert isinstance(error, TransientError)


def test_instagram_validation() -> None:
    connector = InstagramConnector(ConnectorSettings(), httpx.AsyncClient())
    no_media = PublishRequest(publication_id="p", text="Hallo")
    assert "media_required" in {i.code for i in connector.validate(no_media)}
    png = MediaItem("image", "http://m/a.png", "image/png", 100, alt_text="x")
    tags = " ".join(f"#t{i}a" for i in range(31))
    issues = {i.code for i in connector.validate(PublishRequest("p", tags, media=[png]))}
    assert {"unsupported_format", "too_many_hashtags", "many_hashtags"} <= issues
