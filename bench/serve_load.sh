#!/usr/bin/env bash
# serve_load.sh -- 'caveat serve' beside hostile clients for a long run
# (issue 22; not run by CI, whose 20-second version is the server_load
# test): slowloris from 8 loopback addresses, bodies declared at 1 MiB and
# sent a byte a second from 4 more, connections opened and reset half-way
# (churn), beside a legitimate client alternating POST /v1/check and GET
# /v1/health.  Prints the legitimate requests that failed, p50/p99 and the
# server's peak RSS (VmHWM).
# usage: bench/serve_load.sh [BUILD_DIR] [SECONDS]   (default 600)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
seconds=${2:-600}
echo "machine: $(nproc) cores; server and clients share them; ${seconds}s"
exec python3 "$root/tests/server_load.py" "$build/caveat" "$build/geo-cache" "$root/tests" \
  "$seconds" --bench
