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
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAVEAT_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzzers >/dev/null
# UB stops the run too (the build uses -fno-sanitize-recover=all; halt_on_error
# covers a runtime built otherwise).  Any finding fails the script, and its
# report is shown whole, not the last lines of the log.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
failed=()
for harness in build-fuzz/fuzz/*_fuzz; do
  name="$(basename "$harness" _fuzz)"
  work="build-fuzz/corpus-$name"
  log="build-fuzz/fuzz-$name.log"
  mkdir -p "$work" "build-fuzz/findings-$name"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds+=("fuzz/corpus/$name")
  echo "fuzz: $name for ${seconds}s" >&2
  # Each harness may add options of its own (fuzz/options.txt): the dataset
  # harnesses grow to rows past the 1 MiB cap.
  read -r -a extra <<<"$(awk -v h="$name" '$1 == h { $1 = ""; print }' fuzz/options.txt)"
  if "$harness" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
      -rss_limit_mb=4096 -print_final_stats=1 "${extra[@]}" \
      -artifact_prefix="build-fuzz/findings-$name/" "$work" "${seeds[@]}" >"$log" 2>&1 &&
      ! grep -q -E "runtime error:|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)" "$log"; then
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$log" | tr '\n' ' ' >&2
    echo >&2
  else
    echo "fuzz: $name FAILED; its report ($log):" >&2
    grep -n -E -A 40 "runtime error:|ERROR: |==ERROR|deadly signal|Test unit written" "$log" | head -n 120 >&2 ||
      tail -n 60 "$log" >&2
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (inputs in build-fuzz/findings-*/)" >&2
  exit 1
fi
