#!/usr/bin/env bash
# Every quotation a policy cites from a source kept as a file must appear
# verbatim in that file.  The source documents live beside the project only
# for its developers (../shared/sources); without them the test is skipped.
set -euo pipefail
policy="$1"
sources="$2"
[ -d "$sources" ] || { echo "no source documents at $sources: skipped"; exit 77; }
declare -A file_of
current=""
checked=0
failed=0
while IFS= read -r line; do
  if [[ "$line" =~ ^source[[:space:]]+([^[:space:]]+) ]]; then
    current="${BASH_REMATCH[1]}"
  elif [[ -n "$current" && "$line" =~ ^[[:space:]]*file[[:space:]]+\"(.*)\"[[:space:]]*$ ]]; then
    file_of[$current]="${BASH_REMATCH[1]}"
  elif [[ "$line" =~ ^[[:space:]]*cite[[:space:]]+([^[:space:]]+)[[:space:]]+\"(.*)\"[[:space:]]*$ ]]; then
    id="${BASH_REMATCH[1]}"
    quote="${BASH_REMATCH[2]//\\\"/\"}"
    file="${file_of[$id]:-}"
    [ -n "$file" ] || continue
    checked=$((checked + 1))
    if ! grep -qF -- "$quote" "$sources/$file"; then
      echo "$policy: quotation not found in $file: $quote"
      failed=$((failed + 1))
    fi
  fi
done < "$policy"
echo "$checked quotations checked, $failed not found"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
