#!/usr/bin/env bash
# With every shipped policy loaded, 'caveat assess' (one result reused, so
# the memo at work across rows and policies) says of each use exactly what
# 'caveat check' (a fresh result) says.  Fifteen policies share one use's
# memo slots often: this caught a verdict's text served for another donor.
# usage: corpus_assess.sh CAVEAT GEO_CACHE USES.jsonl
set -euo pipefail
caveat=("$1" --cache "$2")
uses="$3"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grep -v '^#' "$uses" | grep -v '^$' >"$work/uses.jsonl"
"${caveat[@]}" assess --no-progress --output jsonl "$work/uses.jsonl" >"$work/assess.jsonl" 2>/dev/null
n=0 failed=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s' "$line" >"$work/use.json"
  # check names what produced it, last; a dataset's rows name it once, in
  # the summary: the rest is the same object.
  want=$("${caveat[@]}" check --json "$work/use.json")
  case "$want" in *', "produced_by": {"libcaveat": '*'}}') ;; *)
    echo "row $n: check --json names no produced_by"
    failed=$((failed + 1)) ;;
  esac
  want="${want%, \"produced_by\": *}}"
  got=$(sed -n "${n}p" "$work/assess.jsonl")
  if [ "$want" != "$got" ]; then
    echo "row $n: assess differs from check"
    failed=$((failed + 1))
  fi
done <"$work/uses.jsonl"
echo "$n rows, $failed differ"
[ "$n" -gt 0 ] && [ "$failed" -eq 0 ]
