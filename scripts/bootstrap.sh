#!/usr/bin/env bash
# Creates .venv (Python 3.11+) and installs ospo-tui with its test tools. Safe to run again:
# it reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "bootstrap: Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1))" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.ospo-tui-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)-${1:-app}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    if [ "${1:-app}" = test ]; then
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
    else
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
    fi
    echo "$want" > "$stamp"
fi
