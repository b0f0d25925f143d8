#!/usr/bin/env bash
# cmake --install into a scratch prefix, then use caveat from there as a
# researcher would: examples/check_one.c built with pkg-config and with
# find_package(caveat) and run against the installed data; the man pages
# read with man -M; the installed CLI finding its own policies and data.
# usage: install_test.sh SOURCE BUILD DCW
set -euo pipefail
src=$1 build=$2 dcw=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "install_test: $*" >&2; exit 1; }

# The geodata component (180 MB of borders and places) is left out: the
# installed example falls back to gmt-dcw's borders.
components=(runtime development man data)
[ -f "$build/python/caveat/__init__.py" ] && components+=(python)
for c in "${components[@]}"; do
  cmake --install "$build" --prefix "$prefix" --component "$c" >/dev/null
done
lib=$prefix/lib
for f in bin/caveat include/caveat.h include/caveat_version.h lib/libcaveat.a \
         lib/libcaveat.so lib/libcaveat.so.0 lib/pkgconfig/caveat.pc \
         lib/cmake/caveat/caveatConfig.cmake lib/cmake/caveat/caveatTargets.cmake \
         share/man/man1/caveat.1 share/man/man1/caveat-assess.1 \
         share/caveat/policies/us.caveat share/caveat/data/systems.json \
         share/caveat/web/index.html; do
  [ -e "$prefix/$f" ] || fail "$f is not installed"
done
[ "$(readlink "$lib/libcaveat.so.0")" = libcaveat.so.0.1.0 ] || fail "libcaveat.so.0 -> $(readlink "$lib/libcaveat.so.0")"
[ "$(readlink "$lib/libcaveat.so")" = libcaveat.so.0 ] || fail "libcaveat.so -> $(readlink "$lib/libcaveat.so")"
objdump -p "$lib/libcaveat.so.0.1.0" | grep -q 'SONAME *libcaveat.so.0$' || fail "no SONAME libcaveat.so.0"

home=$prefix/share/caveat
expect='US: permitted (kharkiv-counter-fire)'

# pkg-config, shared and static.
export PKG_CONFIG_PATH=$lib/pkgconfig
[ "$(pkg-config --modversion caveat)" = "$(sed -n 's/^project(caveat VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" ] \
  || fail "pkg-config --modversion caveat: $(pkg-config --modversion caveat)"
# shellcheck disable=SC2046
cc -o "$work/check_one_pc" "$src/examples/check_one.c" $(pkg-config --cflags --libs caveat) \
  -Wl,-rpath,"$lib"
"$work/check_one_pc" "$home" "$dcw" "$work/cache" | grep -qF "$expect" || fail "pkg-config build: no '$expect'"
# shellcheck disable=SC2046
cc -o "$work/check_one_static" "$src/examples/check_one.c" $(pkg-config --static --cflags caveat) \
  "$lib/libcaveat.a" $(pkg-config --static --libs-only-l --libs-only-other caveat | sed "s/-lcaveat //")
ldd "$work/check_one_static" | grep -q libcaveat && fail "static build links libcaveat.so"
"$work/check_one_static" "$home" "$dcw" "$work/cache" | grep -qF "$expect" || fail "static build: no '$expect'"

# find_package(caveat).
cmake -S "$src/examples" -B "$work/example" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/example" >/dev/null
"$work/example/check_one" "$home" "$dcw" "$work/cache" | grep -qF "$expect" || fail "find_package build: no '$expect'"

# The man pages, from the prefix.
man -M "$prefix/share/man" -P cat caveat 2>/dev/null | grep -q 'caveat-assess' || fail "man caveat"
man -M "$prefix/share/man" -P cat caveat-assess 2>/dev/null | grep -q -- '--output' || fail "man caveat-assess"
MANPATH=$prefix/share/man man -P cat caveat-check 2>/dev/null | grep -q -- '--date' || fail "MANPATH man caveat-check"

# The installed CLI reads its installed policies and data.
env -u CAVEAT_HOME "$prefix/bin/caveat" version | grep -qF "DATA = $home/data" || fail "installed caveat does not read $home/data"
env -u CAVEAT_HOME "$prefix/bin/caveat" --no-geo check --date 2024-06-02 --action strike --system HIMARS \
  --target artillery --json | grep -q '"verdict"' || fail "installed caveat check"
# The Python module, from the prefix, reading the installed policies.
if [[ " ${components[*]} " == *" python "* ]]; then
  PYTHONPATH=$prefix/lib/python3/dist-packages env -u CAVEAT_HOME /usr/bin/python3 -c '
import sys, caveat
assert caveat.__file__.startswith(sys.argv[1]), caveat.__file__
e = caveat.Engine(geo=False)
assert e._args["data"] == sys.argv[1] + "/share/caveat/data", e._args["data"]
r = e.check({"date": "2024-06-02", "action": "strike", "system": "HIMARS", "target": "artillery"})
assert r["verdict"], r
' "$prefix" || fail "the installed Python module"
fi
echo "install_test: ok ($prefix)"
