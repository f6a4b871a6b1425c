#!/usr/bin/env bash
# Installs the working tree (tracked and new files, as git sees them) into the folder $1, the
# way a wheel lays it out, without dependencies. It builds from a clean copy: setuptools' build/
# cache in the checkout can hold modules that no longer exist.
set -euo pipefail
cd "$(dirname "$0")/.."
target="$1"
source="$(mktemp -d "${TMPDIR:-/tmp}/ospo-src.XXXXXX")"
trap 'rm -rf "$source"' EXIT
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' path; do
    [ -e "$path" ] && printf '%s\0' "$path"
done | tar --null -T - -cf - | tar -xf - -C "$source"
python -m pip install --quiet --no-deps --no-build-isolation --target "$target" "$source" 2>/dev/null
