#!/bin/sh
# throughput.sh -- issue 23's figures side by side, in one run, on one
# synthetic ACLED-layout file (bench/gen_acled): the tokenizer's rows/s
# (bench/assess_stages, RFC 4180 alone), then 'caveat assess' with every
# shipped policy on one core (--jobs 1) for each output format: rows/s by
# CPU time (user + system, GNU time: on a shared machine the wall time
# counts the waits for a core), the ratio to the tokenizer's, and the
# bytes a row written.  First, the check: each format's output has a line
# per row (GeoJSON: a feature) and is the same bytes with --jobs 2.
#
# usage: bench/throughput.sh [BUILD] [ROWS]   (defaults: build, 300000)
set -eu
build=${1:-build}
rows=${2:-300000}
[ -x /usr/bin/time ] || { echo "throughput.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
data="$build/bench-data"
file="$data/acled-$rows.csv"
mkdir -p "$data" "$build/geo-cache"
[ -s "$file" ] || "$build/bench/gen_acled" "$rows" >"$file"
caveat="$build/caveat --cache $build/geo-cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "input: $file ($rows rows, $(($(wc -c <"$file") / 1000000)) MB); $(nproc) cores online"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for out in csv jsonl geojson; do
  $caveat assess --no-progress --jobs 1 --output $out "$file" >"$tmp/one" 2>/dev/null || true
  $caveat assess --no-progress --jobs 2 --output $out "$file" >"$tmp/two" 2>/dev/null || true
  case $out in
    csv) got=$(($(wc -l <"$tmp/one") - 1)) ;;
    jsonl) got=$(wc -l <"$tmp/one") ;;
    geojson) got=$(grep -c '^{"type": "Feature"' "$tmp/one") ;;
  esac
  if [ "$got" -ne "$rows" ] || ! cmp -s "$tmp/one" "$tmp/two"; then
    echo "throughput.sh: $out: $got rows of $rows, or --jobs 2 wrote other bytes" >&2
    exit 1
  fi
  wc -c <"$tmp/one" >"$tmp/bytes.$out"
done
echo "checked: a row out per row in, the same bytes with --jobs 2"

tokenizer=$("$build/bench/assess_stages" "$file" all | tee "$tmp/stages" |
  awk '/tokenize/ {print $4}')
printf '%-10s %10s %8s %12s %8s\n' output rows/s cpu_s "of tokenizer" B/row
printf '%-10s %10.0f %8s %12s %8s\n' tokenizer "$tokenizer" - 100% -
for out in csv jsonl geojson; do
  /usr/bin/time -f "%U %S" -o "$tmp/time" \
    $caveat assess --no-progress --jobs 1 --output $out "$file" >/dev/null 2>&1 || true
  cpu=$(awk '{printf "%.2f", $1 + $2}' "$tmp/time")
  rate=$(echo "$rows / $cpu" | bc -l)
  printf '%-10s %10.0f %8s %11.1f%% %8.0f\n' "$out" "$rate" "$cpu" \
    "$(echo "100 * $rate / $tokenizer" | bc -l)" "$(echo "$(cat "$tmp/bytes.$out") / $rows" | bc -l)"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
cat "$tmp/stages"
