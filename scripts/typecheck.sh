#!/usr/bin/env bash
# mypy on an installed copy of the package. In the checkout, screens/, models/ and migrations/
# are not under ospo_tui/, so mypy could not resolve `ospo_tui.models` and would type every
# model and screen as Any. Paths in its report are mapped back to the checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
config="$PWD/pyproject.toml"
site="$(mktemp -d "${TMPDIR:-/tmp}/ospo-types.XXXXXX")"
trap 'rm -rf "$site"' EXIT
bash scripts/install_copy.sh "$site"
cd "$site"
python -m mypy --config-file "$config" -p ospo_tui "$@" 2>&1 |
    sed -E 's#^ospo_tui/(screens|models|migrations)/#\1/#'
