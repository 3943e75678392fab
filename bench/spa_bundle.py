"""SPA initial JavaScript, gzipped, against the 200 KB target (design.md).

The ceiling printed beside it is the whole built bundle (every lazy chunk), so the share that
loads up front is visible. Run after `make install`:  backend/.venv/bin/python bench/spa_bundle.py
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

DIST = Path(__file__).resolve().parents[1] / "frontend" / "dist"
TARGET_KB = 200


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def main() -> int:
    index = DIST / "index.html"
    if not index.exists():
        print("frontend/dist is missing: run `make install` first", file=sys.stderr)
        return 1
    html = index.read_text()
    initial = {
        DIST / ref.lstrip("/") for ref in re.findall(r'(?:src|href)="(/assets/[^"]+\.js)"', html)
    }
    everything = set((DIST / "assets").glob("*.js"))
    initial_kb = sum(gz(p) for p in initial) / 1024
    total_kb = sum(gz(p) for p in everything) / 1024
    print(
        f"initial JS (gzip): {initial_kb:7.1f} KB in {len(initial)} file(s)   target <= {TARGET_KB} KB"
    )
    print(
        f"all JS     (gzip): {total_kb:7.1f} KB in {len(everything)} file(s)   (ceiling: everything eager)"
    )
    print(f"initial share: {initial_kb / total_kb:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
