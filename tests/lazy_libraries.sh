#!/usr/bin/env bash
# Libraries only some commands need are opened by those commands, not
# linked (docs/performance.md, "Cold start"): libmicrohttpd by 'serve'.
# Commands that do not serve never load it (the dynamic loader's own
# account, LD_DEBUG=libs); 'serve' does, and says which library failed
# and why when it cannot (a stand-in library without its calls, found
# first on LD_LIBRARY_PATH).
# Usage: lazy_libraries.sh CAVEAT MHD_SONAME
set -euo pipefail
caveat=$1 mhd=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
if readelf -d "$caveat" | grep -q "NEEDED.*\[$mhd\]"; then
  echo "FAILED: $caveat is linked with $mhd"
  failed=1
fi
for args in "--help" "--no-geo list systems" "--no-geo lint" \
  "--no-geo check --date 2024-11-20 --system HIMARS --lat 51.7 --lon 36.2 --action strike"; do
  # shellcheck disable=SC2086
  LD_DEBUG=libs "$caveat" --cache "$tmp/cache" $args >/dev/null 2>"$tmp/ld" || true
  if grep -q "$mhd" "$tmp/ld"; then
    echo "FAILED: 'caveat $args' loaded $mhd"
    failed=1
  fi
  grep -q "calling init" "$tmp/ld" || { echo "FAILED: no loader account for 'caveat $args'"; failed=1; }
done
# serve opens it: a stand-in without its calls is refused by name.
printf 'int cv_lazy_libraries_stand_in;\n' >"$tmp/stand_in.c"
cc -shared -fPIC -o "$tmp/$mhd" "$tmp/stand_in.c"
status=0
LD_LIBRARY_PATH=$tmp "$caveat" --cache "$tmp/cache" --no-geo serve --listen 127.0.0.1:0 \
  >/dev/null 2>"$tmp/err" || status=$?
want="caveat: serve: $mhd has no MHD_add_response_header (libmicrohttpd, for serve)"
if [ "$status" != 2 ] || [ "$(cat "$tmp/err")" != "$want" ]; then
  echo "FAILED: serve with a stand-in $mhd: status $status, said:"
  cat "$tmp/err"
  failed=1
fi
[ "$failed" = 0 ] && echo "lazy_libraries: ok"
exit "$failed"
