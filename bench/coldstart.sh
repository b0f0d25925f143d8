#!/usr/bin/env bash
# coldstart.sh -- how long one caveat command takes from exec to exit, as a
# user's first question does (issue 23: <= 20 ms to the first verdict with
# the indexes cached): each command of the list below, N runs, the median
# wall time and the median CPU time (user + system) in ms.  Several builds
# are measured side by side, alternating run by run, so that a busy
# machine weighs on each alike.  Each command's answer is checked first
# (the same expected words in every build), and the caches (border index,
# place index) are built before any timing, in a directory of the
# benchmark's own.
#
# usage: bench/coldstart.sh [BUILD...]   (default: build)
#        COLDSTART_RUNS=N (default 21) runs per command and build
set -euo pipefail
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(build)
runs=${COLDSTART_RUNS:-21}
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores online, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: $0 ${builds[*]} (COLDSTART_RUNS=$runs)"

# name | expected words in stdout | arguments
commands=(
  "check --lat/--lon|RU, RU-KRS|check --date 2024-11-20 --system Storm_Shadow --lat 51.7 --lon 36.2 --action strike"
  "check --place|(Kursk): RU, RU-KRS|check --date 2024-11-20 --system Storm_Shadow --place Kursk --action strike"
  "where PLACE|RU-KRS|where Kursk"
  "where LAT LON|RU-BEL|where 50.41 36.89"
  "lint|us.caveat|lint"
  "list systems|himars|list systems"
  "version|policies   15|version"
  "fmt --check|x|fmt --check POLICY"
  "--help|usage: caveat|--help"
)

# The arguments of a command line, with its placeholders filled in.
args_of() {
  local a out=()
  for a in $1; do
    case $a in
      Storm_Shadow) out+=("Storm Shadow") ;;
      POLICY) out+=("$2/policies/us.caveat") ;;
      *) out+=("$a") ;;
    esac
  done
  printf '%s\0' "${out[@]}"
}

# The source tree a build was configured from (its policies for fmt).
home_of() { sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$1/CMakeCache.txt"; }

# Each build's caches, then each command's answer.
for b in "${builds[@]}"; do
  mkdir -p "$cache/$(basename "$b")"
  "$b/caveat" --cache "$cache/$(basename "$b")" where Kursk >/dev/null 2>&1
  "$b/caveat" --cache "$cache/$(basename "$b")" where 50 30 >/dev/null 2>&1
  for c in "${commands[@]}"; do
    IFS='|' read -r name want line <<<"$c"
    mapfile -d '' argv < <(args_of "$line" "$(home_of "$b")")
    out=$("$b/caveat" --cache "$cache/$(basename "$b")" "${argv[@]}" 2>/dev/null || true)
    if [ "$name" = "fmt --check" ]; then
      "$b/caveat" "${argv[@]}" >/dev/null 2>&1 ||
        { echo "coldstart.sh: $b: '$name' fails" >&2; exit 1; }
    elif ! grep -qF -- "$want" <<<"$out"; then
      echo "coldstart.sh: $b: '$name' does not answer '$want'" >&2
      exit 1
    fi
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-20s %-28s %9s %9s\n' "command" "build" "wall ms" "CPU ms"
for c in "${commands[@]}"; do
  IFS='|' read -r name want line <<<"$c"
  for b in "${builds[@]}"; do : >"$cache/$(basename "$b").times"; done
  for ((i = 0; i < runs; i++)); do
    for b in "${builds[@]}"; do
      mapfile -d '' argv < <(args_of "$line" "$(home_of "$b")")
      # bash's time: wall, user and system seconds to the millisecond.
      TIMEFORMAT='%3R %3U %3S'
      { time "$b/caveat" --cache "$cache/$(basename "$b")" "${argv[@]}" >/dev/null 2>&1; } \
        2>>"$cache/$(basename "$b").times" || true
    done
  done
  for b in "${builds[@]}"; do
    t="$cache/$(basename "$b").times"
    wall=$(awk '{ print $1 * 1000 }' "$t" | median)
    cpu=$(awk '{ print ($2 + $3) * 1000 }' "$t" | median)
    printf '%-20s %-28s %9s %9s\n' "$name" "$b" "$wall" "$cpu"
  done
done
