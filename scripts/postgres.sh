#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the test suite and prints its URL.
# Installs Debian's postgresql package when pg_ctlcluster is missing and we are root.
# Prints nothing (and exits 0) when no server can be had, so the suite runs on SQLite alone.
set -uo pipefail
PORT="${OSPO_TUI_TEST_PG_PORT:-54329}"
DATA=/tmp/ospo-tui-pg-$PORT

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 || true
    fi
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$BIN" ] && [ -x "$BIN/initdb" ] || { echo "postgres: no PostgreSQL server binaries" >&2; exit 0; }

run_as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
    rm -rf "$DATA"
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
    run_as_pg "$BIN/initdb" -D "$DATA/data" -U ospo --auth=trust -E UTF8 >/dev/null 2>&1 || { echo "postgres: initdb failed" >&2; exit 0; }
    run_as_pg "$BIN/pg_ctl" -D "$DATA/data" -l "$DATA/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c max_connections=200" start >/dev/null 2>&1 \
        || { echo "postgres: server did not start (see $DATA/log)" >&2; exit 0; }
fi
echo "postgresql+psycopg://ospo@127.0.0.1:$PORT/postgres"
