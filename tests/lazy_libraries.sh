#!/usr/bin/env bash
# Libraries only some commands need are opened by those commands, not
# linked (docs/performance.md, "Cold start"): libmicrohttpd by 'serve',
# GEOS by a border index build.  Commands that do neither never load them
# (the dynamic loader's own account, LD_DEBUG=libs), the border index
# being cached (the geo_cache fixture's); those that need one say which
# library failed and why when it cannot be used (a stand-in library
# without its calls, found first on LD_LIBRARY_PATH).
# Usage: lazy_libraries.sh CAVEAT MHD_SONAME GEOS_SONAME CACHED_DIR
set -euo pipefail
caveat=$1 mhd=$2 geos=$3 cached=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for lib in "$mhd" "$geos"; do
  if readelf -d "$caveat" | grep -q "NEEDED.*\[$lib\]"; then
    echo "FAILED: $caveat is linked with $lib"
    failed=1
  fi
done
for args in "--help" "list systems" "lint" "where 50.41 36.89" \
  "check --date 2024-11-20 --system HIMARS --lat 51.7 --lon 36.2 --action strike"; do
  # shellcheck disable=SC2086
  LD_DEBUG=libs "$caveat" --cache "$cached" $args >/dev/null 2>"$tmp/ld" || true
  for lib in "$mhd" "$geos"; do
    if grep -q "$lib" "$tmp/ld"; then
      echo "FAILED: 'caveat $args' loaded $lib"
      failed=1
    fi
  done
  grep -q "calling init" "$tmp/ld" || { echo "FAILED: no loader account for 'caveat $args'"; failed=1; }
done
# Stand-ins without the calls are refused by name: serve's, and a build's
# (gmt-dcw's borders, the quicker, into an empty cache).
printf 'int cv_lazy_libraries_stand_in;\n' >"$tmp/stand_in.c"
cc -shared -fPIC -o "$tmp/$mhd" "$tmp/stand_in.c"
cc -shared -fPIC -o "$tmp/$geos" "$tmp/stand_in.c"
expect() { # expect WANT ARGS...: status 2 and exactly WANT on stderr
  local want=$1 status=0
  shift
  LD_LIBRARY_PATH=$tmp "$caveat" --cache "$tmp/cache" "$@" >/dev/null 2>"$tmp/err" || status=$?
  if [ "$status" != 2 ] || [ "$(cat "$tmp/err")" != "$want" ]; then
    echo "FAILED: caveat $* with stand-ins: status $status, said:"
    cat "$tmp/err"
    failed=1
  fi
}
expect "caveat: serve: $mhd has no MHD_add_response_header (libmicrohttpd, for serve)" \
  --no-geo serve --listen 127.0.0.1:0
expect "caveat: loading borders: $geos has no GEOS_init_r (GEOS, to build the border index)" \
  --land none where 50 30
[ "$failed" = 0 ] && echo "lazy_libraries: ok"
exit "$failed"
