#!/bin/sh
# jobs_bench.sh -- 'caveat assess --jobs 1' against '--jobs N' on the same
# file, alternating, round after round: wall time, CPU time (user + system),
# peak RSS, and the share of the machine's time stolen by its host during
# each run (the 'steal' of /proc/stat: on a shared VM a speed-up can only
# be read off runs with little of it).  Checks first that both write the
# same bytes.  Needs GNU time (/usr/bin/time).
#
# usage: bench/jobs_bench.sh [BUILD] [ROWS] [ROUNDS] [JOBS] [FORMAT]
#        (defaults: build, 300000 rows, 3 rounds, the cores online, csv)
set -eu
build=${1:-build}
rows=${2:-300000}
rounds=${3:-3}
jobs=${4:-$(getconf _NPROCESSORS_ONLN)}
format=${5:-csv}
[ -x /usr/bin/time ] || { echo "jobs_bench.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
data="$build/bench-data"
file="$data/acled-$rows.csv"
mkdir -p "$data" "$build/geo-cache"
[ -s "$file" ] || "$build/bench/gen_acled" "$rows" >"$file"
caveat="$build/caveat --cache $build/geo-cache"

# The same bytes, whatever the jobs (and the warm-up of the caches).
$caveat assess --no-progress --jobs 1 --output "$format" "$file" >"$data/jobs-1.out" 2>/dev/null || true
$caveat assess --no-progress --jobs "$jobs" --output "$format" "$file" >"$data/jobs-n.out" 2>/dev/null || true
if ! cmp -s "$data/jobs-1.out" "$data/jobs-n.out"; then
  echo "jobs_bench.sh: --jobs $jobs does not write what --jobs 1 writes" >&2
  exit 1
fi
rm -f "$data/jobs-1.out" "$data/jobs-n.out"

# steal_and_total: the steal and total jiffies of /proc/stat's cpu line.
steal_and_total() { awk '/^cpu /{t=0; for (i=2;i<=NF;i++) t+=$i; print $9, t}' /proc/stat; }

echo "input: $file ($rows rows); $format out; $rounds rounds; $(nproc) cores online"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %8s %8s %10s %7s\n' jobs wall_s cpu_s peak_KB steal
for r in $(seq "$rounds"); do
  for j in 1 "$jobs"; do
    set -- $(steal_and_total)
    s0=$1 t0=$2
    /usr/bin/time -f "%e %U %S %M" -o "$data/jobs.time" \
      $caveat assess --no-progress --jobs "$j" --output "$format" "$file" >/dev/null 2>&1 || true
    set -- $(steal_and_total)
    s1=$1 t1=$2
    set -- $(cat "$data/jobs.time")
    printf '%-8s %8s %8.2f %10s %6.0f%%\n' "$j" "$1" "$(echo "$2 + $3" | bc)" "$4" \
      "$(echo "100 * ($s1 - $s0) / ($t1 - $t0 + 1)" | bc -l)"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
