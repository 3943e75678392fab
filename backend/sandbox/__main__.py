"""`python -m sandbox --port 8900`: run the sandbox platform on 127.0.0.1."""

from __future__ import annotations

import argparse

import uvicorn

from sandbox.app import create_sandbox
from sandbox.state import SandboxConfig


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--webhook-url", default=None)
    args = parser.parse_args()
    config = SandboxConfig(webhook_url=args.webhook_url)
    uvicorn.run(
        create_sandbox(config),
        host="127.0.0.1",
        port=args.port,
        log_level="info",
        access_log=False,  # one log line per request costs more CPU than the request itself
        date_header=False,  # the app sends `Date` in virtual time
    )


if __name__ == "__main__":
    main()
