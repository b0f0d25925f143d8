#!/usr/bin/env bash
# format_check.sh -- every C source of the tree is laid out as .clang-format
# says, so that a change's diff holds its change and nothing of layout.
# Lay a file out with: clang-format -i FILE
# usage: tests/format_check.sh SOURCE_DIR
set -uo pipefail
cd "$1"
passed=0 failed=0
while IFS= read -r f; do
  if clang-format --dry-run --Werror "$f" 2>/dev/null; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "not laid out as .clang-format says: $f (clang-format -i $f)"
  fi
done < <(find src cli server include python tests bench fuzz examples -name '*.[ch]' -o -name '*.cc' | sort)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
