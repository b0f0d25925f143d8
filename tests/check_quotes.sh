#!/usr/bin/env bash
# Every verbatim quotation a policy cites must be verbatim in its record:
#  - cited from a source kept as a file (a seed document): in that file.
#    The seed documents live beside the project only for its developers
#    (../shared/sources); without them those quotations are skipped.
#  - cited from any other source: in the public record shipped with the
#    policies (policies/record/*.md), where every quotation marked verified
#    was checked against the page at its URL.
# Paraphrases ("cite ID paraphrase ...") are not quotations and are not
# checked.  usage: check_quotes.sh SOURCES_DIR RECORD_DIR POLICY...
set -euo pipefail
sources="$1"
record="$2"
shift 2
checked=0
failed=0
skipped=0
for policy in "$@"; do
  declare -A file_of=()
  current=""
  number=0
  while IFS= read -r line; do
    number=$((number + 1))
    if [[ "$line" =~ ^source[[:space:]]+([^[:space:]]+) ]]; then
      current="${BASH_REMATCH[1]}"
    elif [[ -n "$current" && "$line" =~ ^[[:space:]]*file[[:space:]]+\"(.*)\"[[:space:]]*$ ]]; then
      file_of[$current]="${BASH_REMATCH[1]}"
    elif [[ "$line" =~ ^[[:space:]]*cite[[:space:]]+([^[:space:]]+)[[:space:]]+\"(.*)\"[[:space:]]*$ ]]; then
      id="${BASH_REMATCH[1]}"
      quote="${BASH_REMATCH[2]//\\\"/\"}"
      quote="${quote//\\\\/\\}"
      file="${file_of[$id]:-}"
      if [ -n "$file" ]; then
        if [ ! -d "$sources" ]; then
          skipped=$((skipped + 1))
          continue
        fi
        where="$sources/$file"
      else
        where="$record"
      fi
      checked=$((checked + 1))
      if ! grep -rqF -- "$quote" "$where"; then
        echo "$policy:$number: quotation of $id not found verbatim in $where: $quote"
        failed=$((failed + 1))
      fi
    fi
  done < "$policy"
  unset file_of
done
echo "$checked quotations checked, $failed not found, $skipped skipped (no source documents at $sources)"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
