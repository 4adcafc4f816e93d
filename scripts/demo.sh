#!/usr/bin/env bash
# The main job on the bundled example office: `make demo` runs this.
# Usage: scripts/demo.sh WORKSPACE_DIR
# Lays out a fresh example workspace, then runs each step in scripts/demo/ in order.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ws="${1:-build/demo-office}"
export PATH="$here/../.venv/bin:$PATH"
rm -rf "$ws"
mkdir -p "$(dirname "$ws")"
export WS="$(cd "$(dirname "$ws")" && pwd)/$(basename "$ws")"
export DOCGEN_WORKSPACE="$WS"
for step in "$here"/demo/*.sh; do
  echo
  echo "=== $(basename "$step" .sh) ==="
  bash "$step"
done
echo
echo "Demo finished. The example office is in $WS;"
echo "its office database (SQLite) is $WS/.docgen/office.sqlite (docgen db check, db backup FILE)."
