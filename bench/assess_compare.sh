#!/bin/sh
# assess_compare.sh -- 'caveat assess' of two builds side by side, in one
# run: the same synthetic ACLED-layout file, each output format, the builds
# alternating round after round, CPU time (user + system) and peak RSS of
# each run, then the median and range per build and the ratio of the
# medians.  CPU time, not wall time: on a shared machine the wall time
# counts the waits for a core, and moved 2x between identical runs.
#
# Both builds evaluate the US policy of their own source tree (the only one
# an old build may ship; a newer build loads every shipped policy by
# default), with their own catalogs; set POLICY=FILE to give both the same
# file, or POLICY=all for every policy each ships (no --policy).  The file is made by NEW's bench/gen_acled (it has not changed since
# the datasets issue).  Needs GNU time (/usr/bin/time).
#
# usage: [POLICY=FILE] [PAUSE=PATTERN] bench/assess_compare.sh NEW_BUILD OLD_BUILD [ROWS] [ROUNDS] [FORMATS]
#        (defaults: 1000000 rows, 3 rounds, "csv jsonl geojson")
# e.g.   bench/assess_compare.sh build /tmp/h8old 1000000 3
set -eu
new=${1:?usage: bench/assess_compare.sh NEW_BUILD OLD_BUILD [ROWS] [ROUNDS] [FORMATS]}
old=${2:?usage: bench/assess_compare.sh NEW_BUILD OLD_BUILD [ROWS] [ROUNDS] [FORMATS]}
rows=${3:-1000000}
rounds=${4:-3}
formats=${5:-csv jsonl geojson}
[ -x /usr/bin/time ] || { echo "assess_compare.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
for b in "$new" "$old"; do
  [ -x "$b/caveat" ] || { echo "assess_compare.sh: no $b/caveat" >&2; exit 2; }
done
data="$new/bench-data"
file="$data/acled-$rows.csv"
mkdir -p "$data" "$new/geo-cache" "$old/geo-cache"
[ -s "$file" ] || "$new/bench/gen_acled" "$rows" >"$file"

# The source tree a build was configured from (its policies and data).
home_of() { sed -n 's/^CAVEAT_HOME:[A-Z]*=//p' "$1/CMakeCache.txt"; }
policy_of() { echo "${POLICY:-$(home_of "$1")/policies/us.caveat}"; }
# policy_args BUILD: sets "$@" to the --policy option for BUILD, or to
# nothing with POLICY=all (then the build loads every shipped policy).
policy_args='if [ "${POLICY:-}" = all ]; then set --; else set -- --policy "$(policy_of "$b")"; fi'

echo "input: $file ($rows rows, $(($(wc -c <"$file") / 1000000)) MB); $rounds rounds"
echo "new: $new ($(policy_of "$new")); old: $old ($(policy_of "$old"))"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm each build's border cache (built on first use) and the file's pages.
for b in "$new" "$old"; do
  eval "$policy_args"
  "$b/caveat" --cache "$b/geo-cache" "$@" assess --no-progress --output csv "$file" >/dev/null 2>&1 || true
done

# run BUILD FORMAT: prints "cpu_seconds peak_kb".  With PAUSE=PATTERN, the
# processes pgrep -f finds by PATTERN are stopped (SIGSTOP) for the run and
# continued after it: on a machine shared with long fuzzing runs, even CPU
# time moved 1.5x with them running.  Keep each run short of what those
# processes tolerate (libFuzzer's -timeout counts a stopped unit's wall
# time: a 1,000,000-row run takes 3-5 s).
run() {
  paused=""
  if [ -n "${PAUSE:-}" ]; then
    paused=$(pgrep -f "$PAUSE" | tr '\n' ' ')
    [ -n "$paused" ] && kill -STOP $paused 2>/dev/null && sleep 0.5
  fi
  b=$1 out=$2
  eval "$policy_args"
  /usr/bin/time -f "%U %S %M" -o "$data/compare.time" \
    "$b/caveat" --cache "$b/geo-cache" "$@" \
    assess --no-progress --output "$out" "$file" >/dev/null 2>"$data/compare.err" || true
  [ -n "$paused" ] && kill -CONT $paused 2>/dev/null
  awk '{printf "%.2f %d\n", $1 + $2, $3}' "$data/compare.time"
}

# median LIST..., min, max of numbers
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {printf "%.2f %.2f %.2f", v[int((NR + 1) / 2)], v[1], v[NR]}'; }

printf '%-8s %-5s %s\n' output build "CPU s per round (peak RSS KB)"
for out in $formats; do
  new_cpu="" old_cpu="" new_line="" old_line=""
  r=0
  while [ "$r" -lt "$rounds" ]; do
    # alternate which build goes first, so neither always runs second
    if [ $((r % 2)) -eq 0 ]; then order="new old"; else order="old new"; fi
    for which in $order; do
      if [ "$which" = new ]; then set -- $(run "$new" "$out"); new_cpu="$new_cpu $1"; new_line="$new_line $1 ($2)"
      else set -- $(run "$old" "$out"); old_cpu="$old_cpu $1"; old_line="$old_line $1 ($2)"; fi
    done
    r=$((r + 1))
  done
  printf '%-8s %-5s%s\n' "$out" new "$new_line"
  printf '%-8s %-5s%s\n' "$out" old "$old_line"
  set -- $(stats $new_cpu) $(stats $old_cpu)
  printf '%-8s median new %s s (%s-%s), old %s s (%s-%s): new/old x%.3f\n' "$out" \
    "$1" "$2" "$3" "$4" "$5" "$6" "$(echo "$1 / $4" | bc -l)"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
