#!/usr/bin/env bash
# Commands that place nothing never load the border index or the place
# index: given a cache directory that does not exist, they leave it so
# (loading either makes it first, cli/load.c).  fmt, lint, diff, list,
# version, and every command's --help and 'help COMMAND'.
# Usage: no_cache_needed.sh CAVEAT SOURCE_DIR
set -euo pipefail
caveat=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
check() {
  "$caveat" --cache "$tmp/never" "$@" >/dev/null 2>&1 || true
  if [ -e "$tmp/never" ]; then
    echo "FAILED: 'caveat $*' made the cache directory (it loaded an index)"
    rm -rf "$tmp/never"
    failed=1
  fi
}
check fmt --check "$src/policies/us.caveat"
check lint
check diff 2024-01-01 2024-12-31
check diff --donors NL,IT 2024-10-20
check list systems
check version
check --version
check --help
for cmd in check assess where test timeline diff lint fmt serve site list version cache help; do
  check "$cmd" --help
  check help "$cmd"
done
# The test can fail: a command that looks a place up does make it (without
# borders, so as not to build the border index: the place index is quick).
"$caveat" --cache "$tmp/never" --no-geo where Kursk >/dev/null 2>&1 || true
[ -f "$tmp/never/places-index.bin" ] ||
  { echo "FAILED: 'where Kursk' did not write the place index"; failed=1; }
[ "$failed" = 0 ] && echo "no_cache_needed: ok"
exit "$failed"
