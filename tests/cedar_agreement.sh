#!/bin/sh
# cedar_agreement.sh BUILD -- keeps bench/cedar's equivalence: every shipped
# policy, written in Cedar and as json-rules-engine rules from the compiled
# policies, decides every compared (use, donor) pair as caveat does
# (bench/cedar/compare.sh with no timing), and the check can fail: a pair
# whose answer is changed, or a policy whose overrides are dropped, is
# reported as a disagreement with exit status 1.  Skipped (77) without node
# or bench/cedar's npm packages (scripts/web-deps.sh installs them).
set -eu
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
cedar="$root/bench/cedar"
command -v node >/dev/null || { echo "skipped: no node"; exit 77; }
for package in @cedar-policy/cedar-wasm json-rules-engine; do
  [ -d "$cedar/node_modules/$package" ] || { echo "skipped: $package not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The agreement, as compare.sh checks it, on 300 generated rows.
sh "$cedar/compare.sh" "$build" 0 300 >"$work/out.txt"
cat "$work/out.txt"
for engine in Cedar json-rules-engine; do
  grep -Eq "^$engine .*: [0-9]{4,} \(use, donor\) pairs compared, 0 disagree$" "$work/out.txt" ||
    { echo "FAIL: $engine did not agree on thousands of pairs"; exit 1; }
done

# 2. It can fail: the corpus' pairs with one answer changed.
"$build/bench/to_cedar" --out "$work" "$root"/tests/scenarios/*.jsonl \
  "$root"/tests/corpus/*.jsonl >/dev/null
grep -q '"verdict": "permitted", "rules": \["use-inside-ukraine"\]' "$work/pairs.jsonl"
sed '0,/"verdict": "permitted", "rules": \["use-inside-ukraine"\]/s//"verdict": "forbidden", "rules": ["use-inside-ukraine"]/' \
  "$work/pairs.jsonl" >"$work/changed.jsonl"
mv "$work/changed.jsonl" "$work/pairs.jsonl"
if node "$cedar/engines.mjs" "$work" 0 >"$work/changed.txt"; then
  echo "FAIL: a changed answer was not reported"; exit 1
fi
for engine in Cedar json-rules-engine; do
  grep -Eq "^DISAGREE $engine .*: caveat forbidden \(use-inside-ukraine\), engine permitted \(use-inside-ukraine\)$" \
    "$work/changed.txt" || { echo "FAIL: $engine's disagreement not printed"; cat "$work/changed.txt"; exit 1; }
  grep -Eq "^$engine .*: [0-9]+ \(use, donor\) pairs compared, 1 disagree$" "$work/changed.txt" ||
    { echo "FAIL: $engine's count of disagreements"; cat "$work/changed.txt"; exit 1; }
done

# 3. ... and the overrides matter: without them both engines disagree.
"$build/bench/to_cedar" --out "$work" "$root"/tests/scenarios/*.jsonl \
  "$root"/tests/corpus/*.jsonl >/dev/null
node -e '
  const fs = require("fs");
  const path = process.argv[1];
  const policies = JSON.parse(fs.readFileSync(path, "utf8"));
  for (const policy of Object.values(policies))
    for (const rule of policy.rules) {
      rule.cedar = rule.cedar.replace(/\nunless \{[\s\S]*\};\n$/, ";\n");
      rule.tree.beaten_by = [];
    }
  fs.writeFileSync(path, JSON.stringify(policies));
' "$work/policies.json"
if node "$cedar/engines.mjs" "$work" 0 >"$work/no-overrides.txt"; then
  echo "FAIL: policies without their overrides were not reported"; exit 1
fi
for engine in Cedar json-rules-engine; do
  grep -Eq "^$engine .*: [0-9]+ \(use, donor\) pairs compared, [1-9][0-9]* disagree$" \
    "$work/no-overrides.txt" || { echo "FAIL: $engine agreed without overrides"; exit 1; }
done
echo "cedar_agreement: both engines agree, and a changed answer and dropped overrides are caught"
