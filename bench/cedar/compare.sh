#!/bin/sh
# compare.sh -- caveat and Cedar side by side in one run, on the same uses
# (the seed scenarios whose facts are all known) and an equivalent policy
# (us.cedar): first that both decide alike, then decisions per second on one
# core for each.  Cedar comes from the npm registry (package.json here).
# usage: bench/cedar/compare.sh [BUILD_DIR] [SECONDS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
seconds=${2:-1}
[ -d "$here/node_modules/@cedar-policy/cedar-wasm" ] ||
  (cd "$here" && npm install --no-audit --no-fund --silent >/dev/null)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uses="$root/tests/scenarios/seed.jsonl"
"$build/caveat" --cache "$build/geo-cache" --donors US assess --no-progress --summary /dev/null \
  --output jsonl "$uses" >"$work/results.jsonl"
node "$here/cedar_bench.mjs" "$uses" "$work/results.jsonl" "$work/known.jsonl" "$seconds"
"$build/bench/engine_bench" "$seconds" "$work/known.jsonl" | grep -E "^(machine|evaluate, geography excluded:)"
