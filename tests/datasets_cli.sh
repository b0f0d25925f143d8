#!/bin/sh
# datasets_cli.sh -- 'caveat assess' end to end: one output row per input row
# in every output format, error rows, exit statuses, the summary file, stdin.
# usage: datasets_cli.sh CAVEAT GEO_CACHE SAMPLE_CSV DATA_DIR
set -u
caveat="$1 --cache $2${CAVEAT_TEST_POLICY:+ --policy $CAVEAT_TEST_POLICY}"
sample=$3
data=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected '$2', got '$3'"
    failures=$((failures + 1))
  fi
}

# The sample: 30 rows, no errors, in each format.
$caveat assess --no-progress --output jsonl "$sample" >"$tmp/out.jsonl" 2>"$tmp/err"
check "jsonl exit" 0 $?
check "jsonl rows" 30 "$(wc -l <"$tmp/out.jsonl" | tr -d ' ')"
check "jsonl first id" '{"id": "CAV0001",' "$(head -c 17 "$tmp/out.jsonl")"
check "summary on stderr" 1 "$(grep -c '^caveat assess: 30 rows (30 assessed, 0 error rows)' "$tmp/err")"

# The summary leads with the answers, then each donor over the rows about its
# weapons, busiest first (every shipped policy: the default home).
corpus="$1 --cache $2"
$corpus assess --no-progress --output csv --summary "$tmp/sum.json" "$sample" >/dev/null 2>&1
$corpus assess --no-progress --output csv "$sample" 2>"$tmp/err" >/dev/null
check "summary answers" "  answers (the strictest verdict of the donors a row is about): permitted 6, forbidden 7, undetermined 14, not-covered 3" \
  "$(sed -n 2p "$tmp/err")"
check "summary not a use" "  1 row describes no use of a weapon (not-covered)" "$(sed -n 4p "$tmp/err")"
check "summary busiest donor first" "  US: 30 rows: permitted 6, forbidden 7, undetermined 13, not-covered 4" \
  "$(sed -n 6p "$tmp/err")"
check "summary a donor's line leaves out verdicts no row has" "  DE: 8 rows: undetermined 4, not-covered 4" \
  "$(grep '^  DE:' "$tmp/err")"
check "summary json counts" "answers 30; rows_about = verdicts for each donor: True; US 30, DE 8" \
  "$(/usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
same = all(s["rows_about"][d] == sum(v.values()) for d, v in s["verdicts"].items())
print("answers %d; rows_about = verdicts for each donor: %s; US %d, DE %d"
      % (sum(s["answers"].values()), same, s["rows_about"]["US"], s["rows_about"]["DE"]))' "$tmp/sum.json")"
# A row about the US alone: the other donors are named once, not counted
# as not-covered.
{ head -n 1 "$sample"; grep '^CAV0001,' "$sample"; } >"$tmp/one.csv"
$corpus assess --no-progress --output csv "$tmp/one.csv" 2>"$tmp/err" >/dev/null
check "summary one row" "caveat assess: 1 row (1 assessed, 0 error rows)" "$(head -n 1 "$tmp/err" | sed 's/ in .*//')"
check "summary donors no row is about" "  no row about the weapons of: BE CA CZ DE DK ES FI FR IT NL NO PL SE UK" \
  "$(tail -n 1 "$tmp/err")"

$caveat assess --no-progress --output csv "$sample" >"$tmp/out.csv" 2>/dev/null
check "csv exit" 0 $?
check "csv header" "id,date,as_of,system,donor,operator,target,purpose,place,lat,lon,territory,region,territorial_sea,border_km,notes,verdict,verdict_donors,about,rules,why,sources,US,error" \
  "$(head -n 1 "$tmp/out.csv")"
check "csv rows" 30 "$(grep -c '^CAV00' "$tmp/out.csv")"
check "csv row 4" "CAV0004,2023-05-22,,maxxpro,US,freedom-of-russia-legion,,ground-incursion,Kozinka,50.478,35.676,RU,RU-BEL,,7.2" \
  "$(grep '^CAV0004' "$tmp/out.csv" | cut -d, -f1-15)"
# The answer leads: the verdict, its donor, who the row is about, the rule.
check "csv row 4 answer" "forbidden,US,US,only-ukrainian-forces" \
  "$(grep '^CAV0004' "$tmp/out.csv" | sed 's/^[^"]*"[^"]*",//' | cut -d, -f1-4)"

$caveat assess --no-progress --output geojson "$sample" >"$tmp/out.geojson" 2>/dev/null
check "geojson exit" 0 $?
check "geojson features" 30 "$(grep -o '"type": "Feature",' "$tmp/out.geojson" | wc -l | tr -d ' ')"
check "geojson opening" '{"type": "FeatureCollection", "features": [' "$(head -n 1 "$tmp/out.geojson")"
check "geojson closing" ']}' "$(tail -n 1 "$tmp/out.geojson")"

# --jobs: the same bytes in the same order on any number of threads, for
# every format, with rows beyond the ring of batches (the sample 40 times
# over: 1,200 rows, five batches of 256 where the ring holds four) and
# error rows among them.
{ head -n 1 "$sample"; for k in $(seq 1 40); do tail -n +2 "$sample"; done
  echo 'bad-row,,,,'; } >"$tmp/many.csv"
for out in csv jsonl geojson; do
  $caveat assess --no-progress --summary "$tmp/sum1.json" --jobs 1 --output $out "$tmp/many.csv" >"$tmp/j1.$out" 2>/dev/null
  $caveat assess --no-progress --summary "$tmp/sum3.json" --jobs 3 --output $out "$tmp/many.csv" >"$tmp/j3.$out" 2>/dev/null
  check "jobs 3 = jobs 1 ($out)" "" "$(cmp "$tmp/j1.$out" "$tmp/j3.$out" 2>&1)"
  check "jobs summary ($out)" "$(sed 's/"seconds": [0-9.]*, //; s/"rows_per_second": [0-9]*,//' "$tmp/sum1.json")" \
    "$(sed 's/"seconds": [0-9.]*, //; s/"rows_per_second": [0-9]*,//' "$tmp/sum3.json")"
done
check "jobs rows" 1201 "$(grep -c '' "$tmp/j1.jsonl")"
# One row 1,200 times: one affinity, so every row is one worker's, and the
# other takes some only while the caller waits for a batch (cli/pool.c).
{ head -n 1 "$sample"; for k in $(seq 1 1200); do sed -n 2p "$sample"; done; } >"$tmp/one.csv"
for out in csv geojson; do
  $caveat assess --no-progress --jobs 1 --output $out "$tmp/one.csv" >"$tmp/one1.$out" 2>/dev/null
  $caveat assess --no-progress --jobs 2 --output $out "$tmp/one.csv" >"$tmp/one2.$out" 2>/dev/null
  check "one affinity: jobs 2 = jobs 1 ($out)" "" "$(cmp "$tmp/one1.$out" "$tmp/one2.$out" 2>&1)"
done
check "one affinity rows" 1201 "$(grep -c '' "$tmp/one1.csv")"
# A batch goes out from the rows' own buffers (writev): through a pipe the
# bytes are those written to a file, and a failed write is said, not lost.
for out in csv jsonl geojson; do
  $caveat assess --no-progress --jobs 2 --output $out "$tmp/many.csv" 2>/dev/null | cat >"$tmp/piped.$out"
  check "piped = written ($out)" "" "$(cmp "$tmp/j1.$out" "$tmp/piped.$out" 2>&1)"
done
if [ -w /dev/full ]; then
  $caveat assess --no-progress --output jsonl "$tmp/many.csv" >/dev/full 2>"$tmp/err"
  check "write error status" 2 $?
  check "write error said" "caveat assess: cannot write the output: No space left on device" \
    "$(grep 'cannot write' "$tmp/err")"
fi
# GeoJSON's property keys, escaped once a run: the CSV header's columns, in
# order, less error (which only error rows carry), on every feature.
check "geojson keys = csv columns" "$(head -n 1 "$tmp/j1.csv" | sed 's/,error$//')" \
  "$(python3 -c 'import json, sys
features = json.load(open(sys.argv[1]))["features"]
keys = {",".join(f["properties"]) for f in features if "error" not in f["properties"]}
print(" | ".join(sorted(keys)))' "$tmp/j1.geojson")"
$caveat assess --no-progress --jobs 257 "$sample" >/dev/null 2>"$tmp/err"
check "jobs one past the limit refused" "caveat assess: --jobs '257': expected a number of threads, 1 to 256" "$(head -n 1 "$tmp/err")"
# One past the 32 sources a cell holds at first: the cell still lists all 33.
{ printf 'policy US\nas-of 2024-08-22\n'
  for k in $(seq 1 33); do
    printf 'source s%d {\n  date 2024-01-01\n  title "T%d"\n  url "https://example.org/%d"\n}\n' $k $k $k
  done
  # A rule cites at most 16: three rules that decide together, 11 each.
  for r in 0 1 2; do
    printf 'rule r%d {\n  permit strike\n  from 2024-01-01\n  because "why"\n' $r
    for k in $(seq $((r * 11 + 1)) $((r * 11 + 11))); do printf '  cite s%d "q"\n' $k; done
    printf '  strength official\n}\n'
  done; } >"$tmp/many-sources.caveat"
printf 'id,date,action,donor\nm1,2024-06-02,strike,US\n' >"$tmp/one.csv"
${caveat%% --policy *} --policy "$tmp/many-sources.caveat" assess --no-progress --summary /dev/null \
  --output csv "$tmp/one.csv" >"$tmp/many-sources.csv" 2>"$tmp/err"
check "33 source links in one cell" 33 "$(grep -o 'https://example.org/[0-9]*' "$tmp/many-sources.csv" | sort -u | wc -l | tr -d ' ')"
$caveat assess --no-progress --jobs 0 "$sample" >/dev/null 2>"$tmp/err"
check "jobs 0 refused" "caveat assess: --jobs '0': expected a number of threads, 1 to 256" "$(head -n 1 "$tmp/err")"

# What-if: every row under the policy of one day.
$caveat assess --no-progress --output csv --as-of 2023-06-01 "$sample" >"$tmp/asof.csv" 2>/dev/null
check "as-of column" 30 "$(grep -c '^CAV00[0-9]*,[0-9-]*,2023-06-01,' "$tmp/asof.csv")"

# Error rows keep their place; exit status 1; the summary as JSON.
dates="$data/acled-dates.csv"
$caveat assess --no-progress --summary "$tmp/summary.json" "$dates" >"$tmp/dates.jsonl" 2>"$tmp/err"
check "error rows exit" 1 $?
check "error rows: one per row" 6 "$(wc -l <"$tmp/dates.jsonl" | tr -d ' ')"
check "error rows: in place" "D003" "$(sed -n 3p "$tmp/dates.jsonl" | cut -d'"' -f4)"
check "error rows: count" 3 "$(grep -c '"error"' "$tmp/dates.jsonl")"
check "no text summary with --summary" "" "$(cat "$tmp/err")"
check "summary rows" 1 "$(grep -c '"rows": 6, "assessed": 3, "errors": 3' "$tmp/summary.json")"

$caveat assess --no-progress --output csv "$dates" 2>/dev/null | sed -n 4p >"$tmp/row.csv"
check "csv error row" "D003,,,,,,,,,,,,,,,,,,,,,,,row 3 (line 4): column 'event_date': '31 February 2024' is not a date: day 31 is not 01-29 in February 2024" \
  "$(cat "$tmp/row.csv")"

$caveat assess --no-progress --output geojson "$dates" 2>/dev/null >"$tmp/dates.geojson"
check "geojson error feature" 3 "$(grep -c '"geometry": null, "properties": {"id": "D00[356]", "row": ' "$tmp/dates.geojson")"

# Standard input, and JSON Lines in.
$caveat assess --no-progress --output csv - <"$data/uses.jsonl" >"$tmp/stdin.csv" 2>/dev/null
check "stdin exit" 1 $?
check "stdin rows" 6 "$(wc -l <"$tmp/stdin.csv" | tr -d ' ')"

# Usage errors.
$caveat assess --no-progress --output xml "$sample" >/dev/null 2>&1
check "bad --output" 2 $?
$caveat assess --no-progress "$tmp/no-such-file.csv" >/dev/null 2>&1
check "missing file" 2 $?
$caveat assess --no-progress --map date=nope "$sample" >/dev/null 2>"$tmp/err"
check "--map to a missing column" 2 $?
check "--map message" 1 "$(grep -c "no column 'nope' in the header" "$tmp/err")"

# Issue 11: JSON input that is not JSON Lines of UTF-8 use objects.
# Numbers as a spreadsheet writes them: no hex, inf or nan (issue 22).
printf 'id,date,lat,lon\nh,2024-06-02,0x10,30\ni,2024-06-02,50,inf\nn,2024-06-02,nan,30\nd,2024-06-02,5e1,3.0E1\n' >"$tmp/numbers.csv"
$caveat assess --no-progress "$tmp/numbers.csv" >"$tmp/out" 2>/dev/null
check "hex latitude refused" 1 "$(grep -c -F '{"id": "h", "error": {"field": "lat", "message": "column '"'"'lat'"'"': expected a number, found '"'"'0x10'"'"'"' "$tmp/out")"
check "inf and nan refused" 2 "$(grep -c -E '^\{"id": "(i|n)", "error": \{"field": "(lat|lon)", "message": "column .(lat|lon).: expected a number' "$tmp/out")"
check "exponents read" 1 "$(grep -c '^{"id": "d", "verdict"' "$tmp/out")"
printf '[{"id": "a", "date": "2024-06-02"}]\n' >"$tmp/array.json"
$caveat assess --no-progress "$tmp/array.json" >"$tmp/out" 2>"$tmp/err"
check "JSON array: usage error" 2 $?
check "JSON array: no rows" "" "$(cat "$tmp/out")"
check "JSON array: message" 1 "$(grep -c "the input is a JSON array: caveat reads JSON Lines" "$tmp/err")"
printf '{"id": "n", "date": "2024-06-02", "system": "HIMARS\\u0000junk"}\n{"id": "u\377", "date": "2024-06-02"}\n{"id": 1e300, "date": "2024-06-02"}\n' >"$tmp/bad.jsonl"
$caveat assess --no-progress "$tmp/bad.jsonl" >"$tmp/out" 2>/dev/null
check "bad JSON lines: exit" 1 $?
check "bad JSON lines: one row each" 3 "$(wc -l <"$tmp/out" | tr -d ' ')"
check "embedded NUL refused" 1 "$(grep -c -F '{"id": "row-1", "error": {"field": null, "message": "a NUL character (\\u0000) in a string at line 1, column 52"' "$tmp/out")"
check "not UTF-8 refused" 1 "$(grep -c -F '{"id": "row-2", "error": {"field": null, "message": "not UTF-8: byte 0xFF at line 2, column 10"' "$tmp/out")"
check "huge numeric id refused" 1 "$(grep -c "^{\"id\": \"row-3\", \"error\": {\"field\": \"id\", \"message\": \"a numeric 'id' must be a whole number below 2^63" "$tmp/out")"
# A JSON Lines error names the file's line, not the line within the row's
# text (it said "line 1" for row 51); a blank line is counted, not a row.
{ for i in $(seq 1 49); do printf '{"id": "g%d", "date": "2024-06-02"}\n' "$i"; done
  printf '\n{"id": "g50", "date": "2024-06-02"}\n{"id": "bad", "date": "2024-06-02",}\n'; } >"$tmp/row51.jsonl"
$caveat assess --no-progress "$tmp/row51.jsonl" >"$tmp/out51" 2>/dev/null
check "JSON Lines error: the file's line and column" 1 "$(grep -c -F '{"id": "row-51", "error": {"field": null, "message": "invalid JSON at line 52, column 36: unexpected text near '"'"'}'"'"'", "line": 52, "column": 36}}' "$tmp/out51")"
# JSON Lines ends lines as CSV does: LF, CRLF and a CR alone, mixed (a CR
# ended no line: 1,000 uses in, 750 answers out, 250 of them errors).  An
# error's line is the file's, CR-ended lines counted.
python3 - "$tmp/mixed.jsonl" <<'PY'
import sys
ends = ["\n", "\r\n", "\r", "\n"]
with open(sys.argv[1], "w", newline="") as f:
    for i in range(1000):
        f.write('{"id": "m%d", "date": "2024-06-02"}%s' % (i, ends[i % 4]))
    f.write('\r{"id": "bad", "date": "2024-06-02",}\r\n')
PY
$caveat assess --no-progress --output csv "$tmp/mixed.jsonl" >"$tmp/mixed.csv" 2>/dev/null
check "JSON Lines, mixed line ends: one answer per use" 1001 "$(($(wc -l <"$tmp/mixed.csv") - 1))"
check "JSON Lines, mixed line ends: every id in order" \
  "$(seq 0 999 | sed 's/^/m/')" "$(sed -n '2,1001p' "$tmp/mixed.csv" | cut -d, -f1)"
$caveat assess --no-progress "$tmp/mixed.jsonl" 2>/dev/null | tail -n 1 >"$tmp/mixed-last"
check "JSON Lines, mixed line ends: the error's line" 1 \
  "$(grep -c -F '"message": "invalid JSON at line 1002, column 36: unexpected text near '"'"'}'"'"'", "line": 1002, "column": 36}}' "$tmp/mixed-last")"
if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]' "$tmp/out"; then
  check "output is UTF-8 JSON" ok ok
else
  check "output is UTF-8 JSON" ok bad
fi
printf '"hello"\n' | $caveat assess --no-progress - >/dev/null 2>"$tmp/err"
check "a bare JSON value: usage error" 2 $?
check "a bare JSON value: message" 1 "$(grep -c "the header names no use field" "$tmp/err")"
$caveat assess --no-progress --format csv "$sample" >"$tmp/out" 2>"$tmp/err"
check "ACLED header read as csv: usage error" 2 $?
check "ACLED header read as csv: no rows" "" "$(cat "$tmp/out")"
check "ACLED header read as csv: message" 1 "$(grep -c "the header is an ACLED export's: read it with --format acled" "$tmp/err")"

# A data directory whose path is one byte too long for the catalogs' file
# names is refused whole: a path cut short could name another file.
long="$tmp/$(printf '%1010s' '' | tr ' ' d)"
long=$(printf '%s' "$long" | cut -c1-1013) # with '/kinds.json', 1024 bytes: one past 1023
$caveat --no-geo --data "$long" where 50 36 >/dev/null 2>"$tmp/err"
check "long data path exit" 2 $?
check "long data path says" 1 "$(grep -c "the data directory's path is too long (at most 1023 bytes with '/kinds.json')" "$tmp/err")"
long=${long%?} # 1023 bytes: within the limit, so the error is the missing file
$caveat --no-geo --data "$long" where 50 36 >/dev/null 2>"$tmp/err"
check "data path at the limit" 1 "$(grep -c "cannot open" "$tmp/err")"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
