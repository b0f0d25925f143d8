#!/usr/bin/env bash
# serve_same_bytes.sh -- whether two builds of 'caveat serve' give the same
# answers, status line, headers and body, byte for byte (the Date header and
# the port left out): a change made for speed must change no answer.  Both
# servers read NEW's source tree (--home: the same policies, catalogs and
# borders).  Asked of both: every use of tests/scenarios/*.jsonl on
# POST /v1/check (also with ?donors=US,UK) and POST /v1/timeline; each file
# whole on POST /v1/assess (full; ?detail=summary&donors=US; ?as_of= with an
# assumption); a bench/gen_acled CSV of 1,000 rows; a use that cannot be
# read; JSON nested too deep; the GET routes; a 404 and a 405.  Then the
# verdict counters of /metrics after all that.  Prints each answer that
# differs and "N requests, M differ"; exits 1 when any differs.
# usage: bench/serve_same_bytes.sh OLD_BUILD NEW_BUILD
set -u
old=${1:?usage: bench/serve_same_bytes.sh OLD_BUILD NEW_BUILD}
new=${2:?usage: bench/serve_same_bytes.sh OLD_BUILD NEW_BUILD}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
start() { # start BUILD NAME: its port into $port (not in a subshell: its pid is kept)
  "$1/caveat" --home "$root" --cache "$1/geo-cache" serve --listen 127.0.0.1:0 \
    --access-log none --max-depth 8 >/dev/null 2>"$work/$2.log" &
  pids+=($!)
  port=
  for _ in $(seq 1200); do
    port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/$2.log")
    [ -n "$port" ] && return
    sleep 0.1
  done
  cat "$work/$2.log" >&2
  exit 2
}
start "$old" old
a=$port
start "$new" new
b=$port
n=0 differ=0
ask() { # ask PATH CURL_ARGS...: the same request of both
  local path=$1
  shift
  n=$((n + 1))
  curl -s -D - "$@" "http://127.0.0.1:$a$path" | sed 's/^Date:.*//; s/127\.0\.0\.1:[0-9]*/HOST/g' >"$work/a"
  curl -s -D - "$@" "http://127.0.0.1:$b$path" | sed 's/^Date:.*//; s/127\.0\.0\.1:[0-9]*/HOST/g' >"$work/b"
  cmp -s "$work/a" "$work/b" || { differ=$((differ + 1)); echo "differs: $path $*"; }
}
json=(-H 'Content-Type: application/json')
ndjson=(-H 'Content-Type: application/x-ndjson')
for f in "$root"/tests/scenarios/*.jsonl; do
  while IFS= read -r line; do
    printf '%s' "$line" >"$work/use.json"
    ask /v1/check "${json[@]}" --data-binary @"$work/use.json"
    ask "/v1/check?donors=US,UK" "${json[@]}" --data-binary @"$work/use.json"
    ask /v1/timeline "${json[@]}" --data-binary @"$work/use.json"
  done <"$f"
  ask /v1/assess "${ndjson[@]}" --data-binary @"$f"
  ask "/v1/assess?detail=summary&donors=US" "${ndjson[@]}" --data-binary @"$f"
  ask "/v1/assess?as_of=2024-01-01&assume.near_border_km=50" "${ndjson[@]}" --data-binary @"$f"
done
if [ -x "$new/bench/gen_acled" ]; then
  "$new/bench/gen_acled" 1000 7 >"$work/rows.csv"
  ask /v1/assess -H 'Content-Type: text/csv' --data-binary @"$work/rows.csv"
else
  echo "no $new/bench/gen_acled: the ACLED CSV case left out"
fi
ask /v1/check "${json[@]}" --data '{"id": "x", "date": "2024-13-45"}'
ask /v1/check "${json[@]}" --data '{"a":"x\"[[[[[[[[[[\\\"]]]]]]]]]]","b":[[[[[[[1]]]]]]]}'
ask /v1/check "${json[@]}" --data '{"a":"x\\","b":[[[[[[[[1]]]]]]]]}'
for path in /v1/health /v1/policies /v1/timeline "/v1/where?lat=50.41&lon=36.89" /v1/outlines /nope; do
  ask "$path"
done
ask /v1/check -X DELETE
for port in "$a" "$b"; do
  curl -s "http://127.0.0.1:$port/metrics" | grep '^caveat_verdicts_total' >"$work/verdicts.$port"
done
n=$((n + 1))
cmp -s "$work/verdicts.$a" "$work/verdicts.$b" || { differ=$((differ + 1)); echo "differs: the verdict counters"; }
echo "$n requests, $differ differ"
[ "$differ" -eq 0 ]
