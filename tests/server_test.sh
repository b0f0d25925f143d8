#!/usr/bin/env bash
# The HTTP API end to end: a server on a free loopback port, requested with
# curl; every /v1/check answer must be byte for byte what 'caveat check
# --json' prints for the same use, and /v1/assess what 'caveat assess' does.
# usage: server_test.sh CAVEAT CACHE_DIR TESTS_DIR
set -u
caveat=$1 cache=$2 tests=$3
work=$(mktemp -d)
passed=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
pass() { passed=$((passed + 1)); }
expect() { # expect NAME WANT GOT
  if [ "$2" = "$3" ]; then pass; else fail "$1: want [$2], got [$3]"; fi
}

"$caveat" --cache "$cache" serve --listen 127.0.0.1:0 --max-body 20000 2>"$work/log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
port=
for _ in $(seq 50); do
  port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/v1/.*|\1|p' "$work/log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start:"; cat "$work/log"; exit 1; }
url="http://127.0.0.1:$port/v1"

expect health '{"status": "ok", "policies": ["US"]}' "$(curl -s "$url/health")"

# Every seed scenario: the API's result is the CLI's, byte for byte.
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s' "$line" >"$work/use.json"
  want=$("$caveat" --cache "$cache" check --json "$work/use.json")
  got=$(curl -s -X POST --data-binary @"$work/use.json" "$url/check")
  expect "check seed $n" "$want" "$got"
done <"$tests/scenarios/seed.jsonl"

want=$("$caveat" --cache "$cache" assess --no-progress --summary /dev/null "$tests/scenarios/seed.jsonl")
got=$(curl -s -X POST --data-binary @"$tests/scenarios/seed.jsonl" "$url/assess")
expect "assess seeds" "$want" "$got"

code=$(curl -s -o "$work/out" -w '%{http_code}' -X POST --data '{"id": "bad", "date": "2024-13-01"}' "$url/check")
expect "bad use status" 400 "$code"
expect "bad use body" '{"id": "bad", "error": {"field": "date", "message": "expected a date YYYY-MM-DD, found '"'"'2024-13-01'"'"'"}}' "$(cat "$work/out")"

expect "where" '{"territory": "RU", "region": "RU-KRS", "border_km": 9.4, "lat": 51.1906, "lon": 35.2707}' \
  "$(curl -s "$url/where?place=Sudzha")"
expect "where unknown place" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url/where?place=Atlantis")"
expect "where bad number" 400 "$(curl -s -o /dev/null -w '%{http_code}' "$url/where?lat=north&lon=1")"
expect "timeline" 200 "$(curl -s -o "$work/out" -w '%{http_code}' -X POST --data-binary @"$tests/cli/seed05.json" "$url/timeline")"
grep -q '"from": "2024-05-30", "until": "2024-06-17", "verdict": "permitted"' "$work/out" && pass || fail "timeline body"
grep -q '"id": "kharkiv-counter-fire"' <(curl -s "$url/policies") && pass || fail "policies"
curl -s "$url/outlines?bbox=30,44,40,53&step=0.05" >"$work/outlines"
grep -q '"type": "FeatureCollection"' "$work/outlines" && grep -q '"code": "UA", "kind": "country"' "$work/outlines" &&
  grep -q '"code": "RU-BEL", "kind": "region"' "$work/outlines" && pass || fail "outlines"
expect "outlines bad box" 400 "$(curl -s -o /dev/null -w '%{http_code}' "$url/outlines?bbox=40,44,30,53")"
printf 'id,date,action,system,operator,lat,lon,target,purpose\nk1,2024-06-02,strike,HIMARS,AFU,50.41,36.89,artillery,counter-fire\n' >"$work/uses.csv"
want=$("$caveat" --cache "$cache" assess --no-progress --summary /dev/null --as-of 2024-05-20 "$work/uses.csv")
expect "assess csv as_of" "$want" "$(curl -s -X POST --data-binary @"$work/uses.csv" "$url/assess?as_of=2024-05-20")"
expect "page" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")"
expect "unknown endpoint" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")"
expect "wrong method" 405 "$(curl -s -o /dev/null -w '%{http_code}' "$url/check")"
head -c 30000 /dev/zero | tr '\0' ' ' >"$work/big"
expect "body too large" 413 "$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @"$work/big" "$url/check")"

"$caveat" --cache "$cache" serve --listen 10.0.0.1:0 2>/dev/null
expect "refuses a public address" 2 "$?"

kill -TERM $server
wait $server
expect "stops on SIGTERM" 0 "$?"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
