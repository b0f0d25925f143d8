#!/usr/bin/env bash
# Builds caveat plainly and runs the whole test suite; fuzzes each parser for
# a short while; then builds it under AddressSanitizer + UBSan and runs the
# whole suite again.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/web-deps.sh --browser
scripts/data-deps.sh
jobs="$(nproc)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAVEAT_WERROR=ON >/dev/null
cmake --build build -j"$jobs" >/dev/null
ctest --test-dir build --output-on-failure -j"$jobs"
# Every parser under libFuzzer: a crash fails the run.
scripts/fuzz.sh "${CAVEAT_FUZZ_SECONDS:-20}"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCAVEAT_SANITIZE=ON -DCAVEAT_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
