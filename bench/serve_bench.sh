#!/bin/sh
# serve_bench.sh -- 'caveat serve' under load from wrk on loopback: requests
# per second and latency for POST /v1/check (one seed use) and GET /v1/where,
# for a few seconds each.  wrk comes from Debian's packages.
# usage: bench/serve_bench.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
seconds=${2:-5}
connections=${3:-32}
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo;
  $sudo apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
"$build/caveat" --cache "$build/geo-cache" serve --listen 127.0.0.1:0 2>"$work/log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
port=
for _ in $(seq 50); do
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/log")
  [ -n "$port" ] && break
  sleep 0.1
done
sed -n 5p "$root/tests/scenarios/seed.jsonl" >"$work/use.json"
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/use.json"):read("a")
wrk.headers["Content-Type"] = "application/json"
LUA
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); server and wrk share them"
echo "== POST /v1/check (seed-05), $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/v1/check" |
  grep -E "Requests/sec|Latency|50%|99%"
echo "== GET /v1/where?lat=50.41&lon=36.89"
wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$port/v1/where?lat=50.41&lon=36.89" |
  grep -E "Requests/sec|Latency|50%|99%"
