#!/bin/sh
# same_bytes.sh -- whether two builds of 'caveat assess' write the same
# bytes: a change made for speed must change no result.  Both builds read
# NEW's source tree (--home: the same policies, catalogs and borders), every
# shipped donor loaded, and are compared by SHA-256 of their output (a
# 200,000-row JSON Lines answer is gigabytes: digests, not files), of their
# exit status and of their summary less its timings, for each output format
# (csv, jsonl, geojson), on a bench/gen_acled file and on every dataset
# fixture of the tests (the ACLED exports, the CSV and JSON Lines uses, the
# sample dataset), then with --if-their-weapon on the fixtures.  Prints one line per case and "differ: N"; exits 1 when any
# case differs.
#
# usage: bench/same_bytes.sh OLD_BUILD NEW_BUILD [ROWS]   (default 200000 rows)
# e.g.   bench/same_bytes.sh /work/rel-build build-rel 200000
set -eu
old=${1:?usage: bench/same_bytes.sh OLD_BUILD NEW_BUILD [ROWS]}
new=${2:?usage: bench/same_bytes.sh OLD_BUILD NEW_BUILD [ROWS]}
rows=${3:-200000}
for b in "$old" "$new"; do
  [ -x "$b/caveat" ] || { echo "same_bytes.sh: no $b/caveat" >&2; exit 2; }
done
home=$(sed -n 's/^CAVEAT_HOME:[A-Z]*=//p' "$new/CMakeCache.txt")
data="$new/bench-data"
mkdir -p "$data"
gen="$data/acled-$rows.csv"
[ -s "$gen" ] || "$new/bench/gen_acled" "$rows" >"$gen"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# digest BUILD OUT FILE [OPTIONS...]: the output's digest, the exit status
# and the summary's digest (its timings left out), on one line.
digest() {
  build=$1 out=$2 file=$3
  shift 3
  sum=$({
    "$build/caveat" --home "$home" assess --no-progress --summary "$tmp/summary" \
      --output "$out" "$@" "$file" 2>/dev/null && echo 0 >"$tmp/status" || echo $? >"$tmp/status"
  } | sha256sum | cut -c1-16)
  status=$(cat "$tmp/status")
  summary=$(sed -e 's/"seconds": [0-9.e+-]*//' -e 's/"rows_per_second": [0-9.e+-]*//' \
    "$tmp/summary" 2>/dev/null | sha256sum | cut -c1-16)
  echo "$sum status $status summary $summary"
}

differ=0 cases=0
compare() { # compare LABEL OUT FILE [OPTIONS...]
  label=$1
  shift
  a=$(digest "$old" "$@") b=$(digest "$new" "$@")
  cases=$((cases + 1))
  if [ "$a" = "$b" ]; then
    echo "same    $label: $b"
  else
    differ=$((differ + 1))
    echo "DIFFER  $label: old $a, new $b"
  fi
}

fixtures=$(ls "$home"/tests/data/acled/*.csv "$home"/tests/data/datasets/*.csv \
  "$home"/tests/data/datasets/*.jsonl "$home"/data/sample-acled.csv)
for out in csv jsonl geojson; do
  compare "$(basename "$gen") $out" "$out" "$gen"
  for f in $fixtures; do compare "${f#"$home"/} $out" "$out" "$f"; done
  for f in $fixtures; do compare "${f#"$home"/} $out --if-their-weapon" "$out" "$f" --if-their-weapon; done
done
echo "cases: $cases; differ: $differ"
[ "$differ" -eq 0 ]
