#!/usr/bin/env bash
# import-linter on an installed copy of the package: in the checkout, screens/, models/ and
# migrations/ sit outside the ospo_tui folder, where import-linter would never see them.
# It runs from inside that copy because import-linter puts its working folder on sys.path.
set -euo pipefail
cd "$(dirname "$0")/.."
config="$PWD/pyproject.toml"
site="$(mktemp -d "${TMPDIR:-/tmp}/ospo-lint.XXXXXX")"
trap 'rm -rf "$site"' EXIT
bash scripts/install_copy.sh "$site"
cd "$site"
PYTHONPATH="$site" python -c 'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())' --config "$config" "$@" 2>&1 | grep -v "option .config. is deprecated"
