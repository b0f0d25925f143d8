#!/usr/bin/env bash
# serve_instructions.sh -- where the server's instructions go a request,
# counted by callgrind (deterministic, unlike wall time on a shared machine;
# the kernel's share, the TCP sends and receives, is not counted):
#   check: POST /v1/check of seed use 5;
#   batch: POST /v1/assess of 1,000 uses (the 20 seed uses, 50 times).
# The server runs under callgrind with instrumentation off until it is warm
# (20 requests), then on for COUNT requests (default 500 checks or 5
# batches) on one kept-alive connection, each answer checked against the
# first; the figures are divided by the requests (or uses).  Prints the
# total a request or use and, inclusive, the parts named in
# docs/performance.md.  Valgrind's slowdown (~50x) makes this a count, not a
# speed.
# usage: bench/serve_instructions.sh [BUILD_DIR] [check|batch] [COUNT]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
mode=${2:-check}
for tool in valgrind callgrind_control callgrind_annotate; do
  command -v $tool >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo;
    $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind >/dev/null; break; }
done
work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
. "$root/bench/serve_common.sh"
serve_start "$work/log" 1200 valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$work/cg.out" "$build/caveat" --cache "$build/geo-cache" serve \
  --listen 127.0.0.1:0 --access-log none --threads 2
seed=$root/tests/scenarios/seed.jsonl
if [ "$mode" = batch ]; then
  for _ in $(seq 50); do cat "$seed"; done >"$work/body"
  type=application/x-ndjson path=/v1/assess per=1000 unit=use count=${3:-5}
else
  sed -n 5p "$seed" >"$work/body"
  type=application/json path=/v1/check per=1 unit=request count=${3:-500}
fi
# COUNT requests on one kept-alive connection, each answer checked against
# the first: exactly the requests counted, none cut at the window's edges.
post() {
  python3 - "$port" "$path" "$type" "$work/body" "$1" <<'PY'
import http.client, sys
port, path, ctype, body_file, count = sys.argv[1:]
body = open(body_file, 'rb').read()
conn = http.client.HTTPConnection('127.0.0.1', int(port))
first = None
for _ in range(int(count)):
    conn.request('POST', path, body, {'Content-Type': ctype})
    r = conn.getresponse()
    answer = r.read()
    if r.status != 200 or (first is not None and answer != first):
        sys.exit('a wrong answer: status %d' % r.status)
    first = answer
PY
}
post 20 # warm: the memo, each thread's scratch
callgrind_control -i on $server >/dev/null
post "$count"
callgrind_control -i off $server >/dev/null
kill -INT $server
wait $server || true
requests=$count
n=$((requests * per))
callgrind_annotate --inclusive=yes "$work/cg.out" >"$work/inclusive" 2>/dev/null
callgrind_annotate --tree=caller "$work/cg.out" >"$work/callers" 2>/dev/null
echo "$mode: $requests requests, $n ${unit}s, under callgrind ($(basename "$build"))"
awk -v n="$n" -v unit="$unit" '
  function count(s) { gsub(",", "", s); return s + 0 }
  /PROGRAM TOTALS/ { printf "%-44s %9.0f\n", "instructions a " unit, count($1) / n }
  { for (i = 1; i <= NF; i++) if ($i ~ /:(on_request|on_completed|route_admit|route_answer|cv_use_parse_json|cv_evaluate|cv_result_write_json|reply_queue|stream_next|stream_row|cv_reader_next|MHD_add_response_header|MHD_queue_response)$/) {
      name = $i; sub(/^.*:/, "", name)
      if (!(name in seen)) { seen[name] = 1; printf "  %-42s %9.0f\n", name " (inclusive)", count($1) / n } } }
' "$work/inclusive" | head -30
# libmicrohttpd zeroes each connection's memory pool between requests
# (--max-header's pool, twice its size): its memset, by caller.
awk -v n="$n" '
  function count(s) { gsub(",", "", s); return s + 0 }
  /^ *[0-9,]+ .*< .*libmicrohttpd/ { m += count($1) }
  /\* .*__memset/ { printf "  %-42s %9.0f\n", "memset called by libmicrohttpd", m / n; exit }
  /^$/ { m = 0 }
' "$work/callers"
