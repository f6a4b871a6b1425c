#!/usr/bin/env bash
# The whole test suite: lint, types, layer contract, then pytest on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
export PATH="$PWD/.venv/bin:$PATH"

if [ -z "${OSPO_TUI_TEST_PG_URL:-}" ]; then
    OSPO_TUI_TEST_PG_URL="$(bash scripts/postgres.sh)"
    export OSPO_TUI_TEST_PG_URL
fi
if [ -n "$OSPO_TUI_TEST_PG_URL" ]; then
    echo "test: PostgreSQL tests run against $OSPO_TUI_TEST_PG_URL"
else
    echo "test: no PostgreSQL server; PostgreSQL tests will be skipped"
fi

ruff check ospo_tui screens models migrations tests benchmarks
ruff format --check ospo_tui screens models migrations tests benchmarks
bash scripts/check_installed.sh  # mypy and the import-linter contracts

# pytest exits 5 when it collected nothing: that is a failure here, never a pass.
set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
    echo "test: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
