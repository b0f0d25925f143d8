#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) and runs each for
# SECONDS (default 20) from its seed corpus.  A crash fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
# clang, and the runtime of -fsanitize=fuzzer (not a dependency of clang).
need=()
command -v clang >/dev/null || need+=(clang)
dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed" ||
  need+=(libclang-rt-14-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAVEAT_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzzers >/dev/null
for harness in build-fuzz/fuzz/*_fuzz; do
  name="$(basename "$harness" _fuzz)"
  work="build-fuzz/corpus-$name"
  mkdir -p "$work"
  echo "fuzz: $name for ${seconds}s" >&2
  "$harness" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -print_final_stats=1 "$work" "fuzz/corpus/$name" 2>&1 | tail -n 3 >&2
done
