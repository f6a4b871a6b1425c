#!/usr/bin/env bash
# Creates .venv (Python 3.11+) and installs ospo-tui into it. Safe to run again: it reinstalls
# only what changed since the last run.
#   bootstrap.sh app   installs the way users do (`pip install .`, not editable), so the demo
#                      runs the same files a wheel ships; a change to the sources reinstalls.
#   bootstrap.sh test  installs editable, with the test tools.
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
mode="${1:-app}"
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
stamp=.venv/.ospo-tui-installed
if [ "$mode" = test ]; then
    want="test-$(sha256sum pyproject.toml setup.py | sha256sum | cut -d' ' -f1)"
else
    # Every shipped file counts: a non-editable install holds copies.
    want="app-$(find pyproject.toml setup.py ospo_tui screens models migrations -type f \
        -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "${pip[@]}" --upgrade pip
    rm -f "$stamp"
    if [ "$mode" = test ]; then
        "${pip[@]}" -e ".[test]"
    else
        "${pip[@]}" .  # a local folder is always rebuilt and reinstalled
    fi
    echo "$want" > "$stamp"
fi
