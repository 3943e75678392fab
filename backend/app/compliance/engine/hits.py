"""The detectors' common currency: a labelled span of the normalised text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Hit:
    label: str
    start: int
    end: int
    detail: str = ""
    """Detector-specific: ``valid`` (checksum passed), ``mobile``, the cue that found a name…"""

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def in_span(position: int, start: int, end: int) -> bool:
    return start <= position < end
