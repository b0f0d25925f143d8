#!/usr/bin/env bash
# same_output.sh -- runs every command, in every output format, on the
# corpus, the real-data fixtures, the sample and a generated ACLED file, with
# two caveat binaries, and reports any difference in stdout, stderr or exit
# status.  It is how a change that must not change behaviour (a refactor, a
# speed-up) proves it: build the commit before it into one tree, the change
# into another, and compare.
#
# usage: tests/same_output.sh OLD_CAVEAT NEW_CAVEAT [ROWS] [GEN_ACLED]
#   ROWS       rows of the generated ACLED file (default 1000000; 0 skips it)
#   GEN_ACLED  bench/gen_acled of either build (default: next to NEW_CAVEAT)
# Both binaries read this checkout's policies/ and data/ (--home), each with
# a border cache of its own; outputs are compared by SHA-256, and the first
# lines of a difference are shown.
set -uo pipefail
old=$(realpath "$1") new=$(realpath "$2")
rows=${3:-1000000}
gen=${4:-$(dirname "$new")/bench/gen_acled}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/same_output.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cache-old" "$work/cache-new" "$work/old" "$work/new"
cases=0 differ=0

# borderless ARGS... : whether caveat ARGS loads no borders: 'COMMAND --help',
# and the commands that never place a point (fmt, list, lint, diff).
borderless() {
  while [ $# -gt 0 ]; do
    case $1 in
      --no-geo) shift ;;
      --home | --data | --dcw | --land | --regions | --geonames | --cache | --policy) shift 2 ;;
      *) break ;;
    esac
  done
  case ${1:-} in fmt | list | lint | diff) return 0 ;; esac
  [ $# -ge 2 ] && { [ "$2" = --help ] || [ "$2" = -h ]; }
}

# compare WHAT PARTS... : counts a difference in the first of the parts
# (files of each side's folder) the two sides wrote differently, and shows it.
compare() {
  local what=$1
  shift
  for part in "$@"; do
    if ! cmp -s "$work/old/$part" "$work/new/$part"; then
      differ=$((differ + 1))
      echo "DIFFERS $what ($part)"
      diff "$work/old/$part" "$work/new/$part" | head -8
      return
    fi
  done
}

# run NAME DIR ARGS... : one case, run from DIR with each binary.
run() {
  local name=$1 dir=$2
  shift 2
  cases=$((cases + 1))
  for side in old new; do
    local bin=$old
    [ $side = new ] && bin=$new
    (cd "$dir" && "$bin" --home "$root" --cache "$work/cache-$side" "$@" \
      >"$work/$side/out" 2>"$work/$side/err" </dev/null)
    echo $? >"$work/$side/status"
    # Wall-clock figures are not behaviour: the assess summary's rate line.
    sed -i -E 's/[0-9.]+ (rows|MB)\/s/N \1\/s/g; s/in [0-9.]+ s/in N s/' "$work/$side/err"
  done
  # Builds before the CLI loaded by need loaded the borders for every
  # command, and so said on stderr that the land polygons are missing even
  # where no border is read.  That note is the one difference allowed, on
  # the old side only: the new one must not print it there.
  if borderless "$@"; then
    sed -i '/^caveat: note: the OpenStreetMap land polygons are not installed/d' "$work/old/err"
  fi
  compare "$name: $*" out err status
}

# The golden CLI cases, as their runner gives them (tests/cli/run_cases.cmake).
for args in "$root"/tests/cli/*.args; do
  mapfile -t a <"$args"
  policy=(--policy "$root/tests/policies/us.caveat")
  for x in "${a[@]}"; do [ "$x" = --policy ] && policy=(); done
  run "cli/$(basename "$args" .args)" "$root/tests/cli" "${policy[@]}" "${a[@]}"
done

# Every dataset in every format, as read and with --if-their-weapon.
datasets=("$root"/tests/corpus/*.jsonl "$root"/tests/scenarios/*.jsonl "$root"/tests/golden/uses.jsonl
          "$root"/tests/data/acled/*.csv "$root"/tests/data/datasets/* "$root"/data/sample-acled.csv)
for f in "${datasets[@]}"; do
  for fmt in jsonl csv geojson; do
    run "assess $fmt ${f#$root/}" "$root" assess --no-progress --output $fmt "$f"
  done
  run "assess theirs ${f#$root/}" "$root" assess --no-progress --if-their-weapon --output csv "$f"
done
run "assess as-of" "$root" assess --no-progress --as-of 2024-11-20 --output jsonl data/sample-acled.csv
run "assess what-if" "$root" assess --no-progress --as-of 2023-01-01 --assume near_border_km=50 \
  --output csv data/sample-acled.csv

# Every use of the corpus through check, readable and --json, and through timeline.
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s\n' "$line" >"$work/use-$n.json"
  run "check corpus use $n" "$root" check "$work/use-$n.json"
  run "check --json corpus use $n" "$root" check --json "$work/use-$n.json"
  if [ $((n % 4)) -eq 0 ]; then
    run "timeline corpus use $n" "$root" timeline "$work/use-$n.json"
    run "timeline --json corpus use $n" "$root" timeline --json "$work/use-$n.json"
  fi
done < <(cat "$root"/tests/corpus/*.jsonl "$root"/tests/scenarios/seed.jsonl | grep -v '^[[:space:]]*$' | grep -v '^#')

# Policy tests, lint, fmt, timelines and diffs: every donor.
run "test corpus" "$root" test "$root"/tests/scenarios/seed.jsonl "$root"/tests/corpus/*.jsonl
run "lint" "$root" lint
run "timeline --all" "$root" timeline --all
run "timeline --all --json" "$root" timeline --all --json
donors=()
for p in "$root"/policies/*.caveat; do
  run "fmt $(basename "$p")" "$root" fmt "$p"
  run "fmt --check $(basename "$p")" "$root" fmt --check "$p"
  run "lint $(basename "$p")" "$root" --policy "$p" lint
  run "timeline $(basename "$p")" "$root" --policy "$p" timeline
  run "timeline --json $(basename "$p")" "$root" --policy "$p" timeline --json
  d=$(basename "$p" .caveat | tr a-z A-Z)
  donors+=("$d")
  for span in "2022-01-01 2024-06-01" "2024-05-01 2024-12-01" "2024-11-01 2025-10-31"; do
    run "diff $d $span" "$root" --policy "$p" diff $span
  done
done
for i in "${!donors[@]}"; do
  j=$(((i + 1) % ${#donors[@]}))
  run "diff --donors ${donors[$i]},${donors[$j]}" "$root" diff --donors "${donors[$i]},${donors[$j]}" 2024-10-20
done
for v in systems operators targets purposes actions donors operator-kinds system-classes; do
  run "list $v" "$root" list $v
done
for q in "50.41 36.89" "51.7 36.19" "44.6 33.5" "48.0 37.8" "55.75 37.62" "46.0 31.0" "0 0"; do
  run "where $q" "$root" where $q
  run "where --json $q" "$root" where --json $q
done
for q in Sudzha Kharkiv Marino Belgorod Sevastopol Kursk "no such place"; do
  run "where $q" "$root" where "$q"
done
for c in "" check assess where test timeline diff lint fmt serve list; do
  run "help $c" "$root" $c --help
done
run "no command" "$root"
run "unknown command" "$root" frobnicate

run "diff --json US" "$root" --policy policies/us.caveat diff --json 2024-05-01 2024-12-01
run "diff --donors --json" "$root" diff --json --donors NL,BE 2024-10-20

# The service: the same requests to a server of each binary.
serve_case() { # serve_case NAME CURL_ARGS...
  local name=$1
  shift
  cases=$((cases + 1))
  for side in old new; do
    curl -s -o "$work/$side/out" -w '%{http_code} %{content_type}\n' "$@" \
      "http://127.0.0.1:$(cat "$work/$side/port")${url}" >"$work/$side/status" 2>/dev/null
  done
  compare "serve $name" out status
}
pids=()
port=18431
for side in old new; do
  bin=$old
  [ $side = new ] && bin=$new
  "$bin" --home "$root" --cache "$work/cache-$side" serve --listen "127.0.0.1:$port" \
    >"$work/$side-serve.log" 2>&1 &
  pids+=($!)
  echo $port >"$work/$side/port"
  port=$((port + 1))
done
for side in old new; do
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$(cat "$work/$side/port")/v1/health" && break
    sleep 0.1
  done
done
use='{"date":"2024-06-02","action":"strike","system":"HIMARS","operator":"AFU","lat":50.41,"lon":36.89,"target":"artillery","purpose":"counter-fire"}'
for url in /v1/health /v1/policies /v1/timeline "/v1/where?lat=50.41&lon=36.89" "/v1/where?place=Sudzha" \
           "/v1/where?place=Marino" "/v1/where?place=nowhere" "/v1/outlines?bbox=35,49,38,52&step=0.05" \
           / /app.js /nosuch; do
  serve_case "GET $url"
done
url=/v1/check serve_case "POST /v1/check" -H 'Content-Type: application/json' -d "$use"
url=/v1/check serve_case "POST /v1/check bad" -H 'Content-Type: application/json' -d '{"date":"2024-13-01"}'
url=/v1/timeline serve_case "POST /v1/timeline" -H 'Content-Type: application/json' -d "$use"
url=/v1/assess serve_case "POST /v1/assess csv" -H 'Content-Type: text/csv' --data-binary @"$root/data/sample-acled.csv"
url=/v1/assess serve_case "POST /v1/assess jsonl" -H 'Content-Type: application/x-ndjson' \
  --data-binary @"$root/tests/corpus/us.jsonl"
kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null

# The generated ACLED file: the benchmark's million rows.
if [ "$rows" -gt 0 ]; then
  "$gen" "$rows" >"$work/gen.csv"
  for fmt in csv jsonl geojson; do
    run "assess $fmt generated $rows" "$root" assess --no-progress --output $fmt "$work/gen.csv"
  done
fi

echo "$((cases - differ)) passed, $differ failed"
[ "$differ" -eq 0 ]
