"""Request parameters the way the real platforms accept them: query string, urlencoded form,
JSON or multipart, merged (body wins). Stdlib only — python-multipart is not a dependency."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Params:
    values: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def add(self, key: str, value: Any) -> None:
        key = key.removesuffix("[]")
        if isinstance(value, list):
            for item in value:
                self.add(key, item)
            return
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, dict):
            value = json.dumps(value)
        self.values.setdefault(key, []).append("" if value is None else str(value))

    def get(self, key: str, default: str | None = None) -> str | None:
        items = self.values.get(key)
        return items[-1] if items else default

    def getlist(self, key: str) -> list[str]:
        return list(self.values.get(key, []))

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key)
        if value is None:
            return default
        return value.lower() in ("1", "true", "yes", "on")


async def read_params(request: Request) -> Params:
    params = Params()
    for key, value in request.query_params.multi_items():
        params.add(key, value)
    body = await request.body()
    if not body:
        return params
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key, value in data.items():
                params.add(key, value)
    elif content_type.startswith("multipart/form-data"):
        _parse_multipart(content_type, body, params)
    else:
        for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            params.add(key, value)
    return params


def _parse_multipart(content_type: str, body: bytes, params: Params) -> None:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            params.files[name.removesuffix("[]")] = UploadedFile(
                filename=filename, content_type=part.get_content_type(), data=data
            )
        else:
            params.add(name, data.decode("utf-8", "replace"))
