"""Platform usage seen in response headers, reported to whoever is listening.

Connectors parse usage headers on every response (success or failure) and call
:func:`report_usage`; the publisher wraps each platform call in :func:`collect_usage` and keeps
the figures per scope, shared by all workers, so it stops calling a scope *before* the platform
throttles it (platforms.md §1.2). Outside ``collect_usage`` reports go nowhere. The sink is a
context variable, so concurrent calls in one process never see each other's reports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

UsageLevel = Literal["app", "account"]


@dataclass(frozen=True)
class UsageReport:
    """``percent`` of a budget used (the highest of call count, CPU time and total time).
    ``level`` ``app``: the whole app (Meta ``X-App-Usage``); ``account``: the Page or account
    the call was charged to (``X-Business-Use-Case-Usage``, ``X-Page-Usage``).
    ``regain_seconds``: the platform's estimate until calls are allowed again (0: none)."""

    level: UsageLevel
    percent: float
    regain_seconds: float = 0.0


_sink: ContextVar[list[UsageReport] | None] = ContextVar("klinikfunk_usage", default=None)


@contextmanager
def collect_usage() -> Iterator[list[UsageReport]]:
    """Collect the usage reports of the calls made inside the block (this task only)."""
    reports: list[UsageReport] = []
    token = _sink.set(reports)
    try:
        yield reports
    finally:
        _sink.reset(token)


def report_usage(*reports: UsageReport) -> None:
    sink = _sink.get()
    if sink is not None:
        sink.extend(reports)
