# serve_common.sh -- sourced by the serve benchmarks (serve_bench.sh,
# serve_targets.sh, serve_instructions.sh): starting a server and finding the
# port it listens on.  Not run on its own.
#
# serve_start LOG TENTHS COMMAND...: runs COMMAND (a 'caveat serve --listen
# 127.0.0.1:0 ...', perhaps under valgrind) in the background, its stdout
# dropped and its stderr in LOG, and waits up to TENTHS tenths of a second
# for the address it prints there (valgrind's start is slow).  Sets server
# (its pid), port and host (127.0.0.1:PORT).  When the server stops before
# saying where it listens, or never says, prints LOG and exits 1; the
# caller's EXIT trap, set before the call, stops it.
serve_start() {
  local log=$1 tenths=$2
  shift 2
  "$@" >/dev/null 2>"$log" &
  server=$!
  port=
  for _ in $(seq "$tenths"); do
    port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "the server gave no address in $((tenths / 10)) s:" >&2; cat "$log" >&2; exit 1; }
  host=127.0.0.1:$port
}
