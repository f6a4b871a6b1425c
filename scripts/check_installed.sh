#!/usr/bin/env bash
# mypy and import-linter on an installed copy of the package. In the checkout, screens/, models/
# and migrations/ sit outside the ospo_tui folder: mypy could not resolve `ospo_tui.models` (it
# would type every model and screen as Any) and import-linter would never see those packages.
# Both run from inside the copy (import-linter puts its working folder on sys.path); mypy's
# paths are mapped back to the checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
config="$PWD/pyproject.toml"
site="$(mktemp -d "${TMPDIR:-/tmp}/ospo-check.XXXXXX")"
trap 'rm -rf "$site"' EXIT
bash scripts/install_copy.sh "$site"
cd "$site"
python -m mypy --config-file "$config" -p ospo_tui 2>&1 | sed -E 's#^ospo_tui/(screens|models|migrations)/#\1/#'
PYTHONPATH="$site" python -c 'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())' --config "$config" 2>&1 | grep -v "option .config. is deprecated"
