#!/bin/sh
# assess_bench.sh -- 'caveat assess' on a synthetic ACLED-layout file:
# rows/s, MB/s and peak memory for each output format, end to end (file in,
# stdout to /dev/null, one core), then where the time goes, stage by stage.
# Memory is also measured on a tenth of the rows: flat memory means the two
# peaks match.
# usage: bench/assess_bench.sh [BUILD_DIR] [ROWS]    (default build, 1000000)
set -eu
build=${1:-build}
rows=${2:-1000000}
data="$build/bench-data"
file="$data/acled-$rows.csv"
small_rows=$((rows / 10))
small="$data/acled-$small_rows.csv"
mkdir -p "$data" "$build/geo-cache"
[ -s "$file" ] || "$build/bench/gen_acled" "$rows" >"$file"
[ -s "$small" ] || "$build/bench/gen_acled" "$small_rows" >"$small"
caveat="$build/caveat --cache $build/geo-cache"
mb=$(($(wc -c <"$file") / 1000000))
echo "input: $file ($rows rows, $mb MB)"

# Wall time and peak RSS of one run; GNU time when present.
measure() { # measure OUTPUT FILE
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e %M" -o "$data/time" \
      $caveat assess --no-progress --output "$1" "$2" >/dev/null 2>"$2.summary" || true
    cat "$data/time"
  else
    start=$(date +%s.%N)
    $caveat assess --no-progress --output "$1" "$2" >/dev/null 2>"$2.summary" || true
    echo "$(echo "$(date +%s.%N) - $start" | bc) ?"
  fi
}

$caveat assess --no-progress --output csv "$small" >/dev/null 2>&1 || true # warm the caches
printf '%-8s %12s %10s %14s %14s\n' output rows/s MB/s "peak RSS" "RSS at 1/10"
for out in jsonl csv geojson; do
  set -- $(measure "$out" "$file")
  secs=$1 rss=$2
  set -- $(measure "$out" "$small")
  rss_small=$2
  printf '%-8s %12.0f %10.1f %11s KB %11s KB\n' "$out" \
    "$(echo "$rows / $secs" | bc -l)" "$(echo "$mb / $secs" | bc -l)" "$rss" "$rss_small"
done
cat "$file.summary"
echo
"$build/bench/assess_stages" "$file"
