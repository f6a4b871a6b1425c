#!/usr/bin/env bash
# The main job on the bundled sample: import it into a local SQLite database and open the TUI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh app
exec .venv/bin/ospo-tui demo "$@"
