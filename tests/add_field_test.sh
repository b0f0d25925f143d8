#!/usr/bin/env bash
# add_field_test.sh -- adding a use field takes the lines docs/architecture.md
# shows: a row of CV_USE_FIELDS (src/fields.h) and, for its semantics, a row
# of CV_BUILTIN_FACTS (src/model.h).  This test makes exactly those two edits
# in a scratch copy of the tree, builds the command there, and uses the new
# field everywhere a field is given (a flag, a JSON key, a CSV column), in a
# policy's condition, in the explanation and in --help.
# usage: tests/add_field_test.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/add_field.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*"
  echo "0 passed, 1 failed"
  exit 1
}

# The tree as it is, without builds or installed packages.
tree="$tmp/tree"
mkdir "$tree"
tar -C "$src" --exclude=./build --exclude='./build-*' --exclude=node_modules --exclude=.git \
  -cf - . | tar -C "$tree" -xf -

# The two lines: the field, and the fact its value becomes.
sed -i 's|^  X(CROSS_BORDER_ATTACK, "cross_border_attack", BOOL, 0, NULL, NULL,|  X(UNIT, "unit", NAME, CV_DOM_OPERATOR, "unit", "operators.json", "--unit NAME", "operators", GRADED, BOTH) \\\n&|' \
  "$tree/src/fields.h"
sed -i 's|^  X(TERRITORY, "territory",|  X(UNIT, "unit", SYMBOL, OPERATOR, UNIT, 15, LISTED) \\\n&|' "$tree/src/model.h"
grep -q 'X(UNIT, "unit", NAME' "$tree/src/fields.h" || fail "the field's line was not added"
grep -q 'X(UNIT, "unit", SYMBOL' "$tree/src/model.h" || fail "the fact's line was not added"
[ "$(cd "$tree" && diff -r "$src/src" src | grep -c '^[<>]')" -eq 2 ] ||
  fail "the scratch tree differs from the source by more than two lines"

cmake -S "$tree" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release >"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log"; fail "configure"; }
cmake --build "$tmp/build" --target caveat_cli -j"$(nproc)" >"$tmp/build.log" 2>&1 ||
  { tail -40 "$tmp/build.log"; fail "the build with the new field"; }

cat >"$tmp/unit.caveat" <<'EOF'
policy US
title "A policy on the field added in a scratch build"
as-of 2025-01-01

source note {
  date 2024-01-01
  outlet "caveat's tests"
  title "A rule on the new field"
}

rule the-unit-may-strike {
  permit strike
  when unit = afu
  from 2024-01-01
  because "Only this unit may strike."
  cite note paraphrase "Only this unit may strike."
  strength official
}
EOF
caveat() { "$tmp/build/caveat" --home "$tree" --no-geo --policy "$tmp/unit.caveat" "$@"; }
passed=0
expect() { # expect NAME PATTERN OUTPUT
  if grep -q -- "$2" <<<"$3"; then passed=$((passed + 1)); else fail "$1: no '$2' in:
$3"; fi
}

out=$(caveat check --date 2024-06-01 --action strike --donor US --unit afu)
expect "a flag" "US: PERMITTED" "$out"
expect "the explanation's fact lines" "^  unit  *afu" "$out"
out=$(caveat check --date 2024-06-01 --action strike --donor US)
expect "an unknown unit branches" "UNDETERMINED" "$out"
out=$(caveat check --date 2024-06-01 --action strike --donor US --unit AFU --evidence unit=disputed)
expect "evidence graded for it" "(disputed)" "$out"
out=$(caveat check --help)
expect "--help" "--unit NAME" "$out"
printf '{"id": "j1", "date": "2024-06-01", "action": "strike", "donor": "US", "unit": "afu"}\n' >"$tmp/use.json"
out=$(caveat check --json "$tmp/use.json")
expect "a JSON key" '"verdict": "permitted"' "$out"
printf '{"id": "j2", "date": "2024-06-01", "unit": "afu", "unit": "afu"}\n' >"$tmp/twice.json"
out=$(caveat check --json "$tmp/twice.json" 2>&1 || true)
expect "a key given twice" "'unit' is given twice" "$out"
printf 'id,date,action,donor,unit\nc1,2024-06-01,strike,US,afu\nc2,2024-06-01,strike,US,Martian Legion\n' \
  >"$tmp/uses.csv"
out=$(caveat assess --no-progress --output jsonl "$tmp/uses.csv" 2>/dev/null || true)
expect "a CSV column" '"id": "c1".*"verdict": "permitted"' "$out"
expect "a bad value names its column" "column 'unit'" "$out"
out=$(caveat assess --help)
expect "--map's fields" "purpose, unit," "$out"
echo "$passed passed, 0 failed"
