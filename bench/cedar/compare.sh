#!/bin/sh
# compare.sh -- caveat, Cedar and json-rules-engine side by side in one run,
# on the same (use, donor) pairs and the same policies: every shipped policy,
# written in Cedar and as json-rules-engine rules by BUILD/bench/to_cedar from
# the compiled policies.  The uses: every scenario of tests/scenarios and
# tests/corpus, and ROWS rows of bench/gen_acled read through the library's
# reader; a pair is each verdict of a donor the use is about that the known
# facts decide (docs/performance.md, "Side by side with Cedar").  First the
# agreement of both engines with caveat (any disagreement is printed and the
# script exits 1), then decisions per second on one core for each, with the
# ratios.  Both engines come from the npm registry (package.json here).
# usage: bench/cedar/compare.sh [BUILD_DIR] [SECONDS] [ROWS]
#   SECONDS 0: the agreement only, no timing (ctest cedar_agreement).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
seconds=${2:-1}
rows=${3:-5000}
{ [ -d "$here/node_modules/@cedar-policy/cedar-wasm" ] && [ -d "$here/node_modules/json-rules-engine" ]; } ||
  (cd "$here" && npm ci --no-audit --no-fund --silent >/dev/null)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bench/gen_acled" "$rows" >"$work/acled.csv"
# caveat is timed here, before node starts, so that the two never share the
# core; engines.mjs prints its figures (work/caveat.txt) beside the others'.
"$build/bench/to_cedar" --out "$work" --seconds "$seconds" "$root"/tests/scenarios/*.jsonl \
  "$root"/tests/corpus/*.jsonl "$work/acled.csv"
[ "$seconds" = 0 ] || echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
node "$here/engines.mjs" "$work" "$seconds"
