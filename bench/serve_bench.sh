#!/usr/bin/env bash
# serve_bench.sh -- 'caveat serve' under load from wrk on loopback:
#  1. POST /v1/check (one seed use) and GET /v1/where, requests per second
#     and latency;
#  2. POST /v1/check again while a second client keeps sending malformed and
#     oversized requests (two Content-Lengths, Content-Length with chunked,
#     bodies past --max-body, JSON nested too deep, a foreign Host, garbage,
#     headers dribbled byte by byte, large dataset posts whose answers are
#     never read): every one of wrk's answers is checked against the answer
#     alone, and the count of wrong or failed answers printed;
#  3. the server's peak memory (VmHWM) after all that.
# wrk comes from Debian's packages (installed here when missing).
# usage: bench/serve_bench.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
seconds=${2:-5}
connections=${3:-32}
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo;
  $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
server= hostile=
trap 'kill $server $hostile 2>/dev/null; rm -rf "$work"' EXIT
. "$root/bench/serve_common.sh"
serve_start "$work/log" 600 "$build/caveat" --cache "$build/geo-cache" serve \
  --listen 127.0.0.1:0 --access-log none --per-address 200 --max-body 1048576 \
  --body-budget 16777216
sed -n 5p "$root/tests/scenarios/seed.jsonl" >"$work/use.json"
curl -s -H 'Content-Type: application/json' --data-binary @"$work/use.json" "http://$host/v1/check" >"$work/want"
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/use.json"):read("a")
wrk.headers["Content-Type"] = "application/json"
local want = io.open("$work/want"):read("a")
wrong = 0
function response(status, headers, body)
  if status ~= 200 or body ~= want then wrong = wrong + 1 end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("wrong") end
  io.write(string.format("wrong answers: %d of %d; socket errors: connect %d, read %d, write %d, timeout %d\n",
    n, summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
LUA
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); server and wrk share them"
echo "== POST /v1/check (seed-05), $connections connections, ${seconds}s"
sed '/^wrong = 0/,$d' "$work/post.lua" >"$work/post-fast.lua" # no per-answer check: wrk's fast path
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/post-fast.lua" "http://$host/v1/check" |
  grep -E "Requests/sec|Latency|50%|99%"
echo "== the same, every answer compared with the expected one"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "http://$host/v1/check" |
  grep -E "Requests/sec|Latency|50%|99%|wrong answers"
echo "== GET /v1/where?lat=50.41&lon=36.89"
wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://$host/v1/where?lat=50.41&lon=36.89" |
  grep -E "Requests/sec|Latency|50%|99%"

# The second client: malformed and oversized requests, round and round.
head -c 1048000 /dev/zero | tr '\0' '\n' | sed 's/^$/id,date/' | head -c 1048000 >"$work/rows.csv"
python_free_deep=$(printf '%0.s[' $(seq 100))
send() { # send BYTES: one raw request, the answer read and dropped
  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 0
  printf '%b' "$1" >&3 2>/dev/null
  timeout 1 cat <&3 >/dev/null 2>&1
  exec 3<&-
}
attack() {
  trap '' PIPE
  local sent=0
  while :; do
    { send "POST /v1/check HTTP/1.1\r\nHost: $host\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
    send "POST /v1/check HTTP/1.1\r\nHost: $host\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    send "POST /v1/assess HTTP/1.1\r\nHost: $host\r\nContent-Type: text/csv\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\n"
    send "POST /v1/check HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
    send "GARBAGE \x01\x02\x03 HTTP/9.9\r\n\r\n"
    send "GET /app.js%00.png HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n\r\n"
    curl -s -o /dev/null -H 'Content-Type: application/json' --data "$python_free_deep" "http://$host/v1/check"
    curl -s -o /dev/null -H 'Content-Type: text/plain' --data '{}' "http://$host/v1/check"
    # A dataset posted whose answer is never read (curl is killed mid-answer).
    timeout 0.3 curl -s --limit-rate 1k -o /dev/null -H 'Content-Type: text/csv' \
      --data-binary @"$work/rows.csv" "http://$host/v1/assess" || true
    } &
    { send "POST /v1/assess HTTP/1.1\r\nHost: $host\r\nContent-Type: text/csv\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\nid,date\n"
      send "POST /v1/check HTTP/1.1\r\nHost: $host\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"id\": 1"
      curl -s -o /dev/null -H 'Content-Type: application/json' --data '{"id": "x", "date": "2024-13-45"}' "http://$host/v1/check"
      curl -s -o /dev/null -X DELETE "http://$host/v1/check"; } &
    # Headers dribbled a byte at a time, given up after a while.
    ( exec 4<>"/dev/tcp/127.0.0.1/$port"; for c in G E T ' ' /; do printf %s "$c" >&4; sleep 0.2; done ) 2>/dev/null &
    wait
    sent=$((sent + 15))
    echo "$sent" >"$work/sent"
  done
}
attack &
hostile=$!
sleep 0.5
echo "== POST /v1/check while a second client sends malformed and oversized requests, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "http://$host/v1/check" |
  grep -E "Requests/sec|Latency|50%|99%|wrong answers"
kill $hostile 2>/dev/null
wait $hostile 2>/dev/null || true
hostile=
echo "malformed or oversized requests sent meanwhile: $(cat "$work/sent" 2>/dev/null || echo 0)"
curl -s "http://$host/metrics" | grep -E '^caveat_requests_total\{route="(/v1/check|/v1/assess|none)",status="(4|5)' || true
echo "server peak memory so far: $(sed -n 's/^VmHWM:[[:space:]]*//p' /proc/$server/status)"
# The issue's case: 1 MiB of rows holding only a date (95,000 rows, 2.7 GB
# of answer when it was built in memory), posted by eight clients that read
# their answers at 1 kB/s.
{ echo date; yes 2024-06-02 | head -c 1040000; } >"$work/dates.csv"
echo "== eight clients posting $(wc -l <"$work/dates.csv") date-only rows each and reading at 1 kB/s, 4 s"
readers=()
for i in 1 2 3 4 5 6 7 8; do
  timeout 4 curl -s --limit-rate 1k -o /dev/null -H 'Content-Type: text/csv' \
    --data-binary @"$work/dates.csv" "http://$host/v1/assess" &
  readers+=($!)
done
wait "${readers[@]}" || true
echo "server peak memory: $(sed -n 's/^VmHWM:[[:space:]]*//p' /proc/$server/status)"
