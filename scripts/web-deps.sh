#!/usr/bin/env bash
# Installs what the web page and its browser tests need from the npm
# registry, by their lockfiles: Leaflet and Leaflet.markercluster for the page
# (web/), playwright-core and axe-core for the tests (tests/web/); with
# --browser also Debian's chromium.  Also the engines bench/cedar compares
# caveat with (Cedar's npm build and json-rules-engine), which ctest
# cedar_agreement needs.  A folder is installed again whenever its
# lockfile is newer than what npm last installed there.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
command -v npm >/dev/null || {
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
}
install() { # install DIR: npm ci unless node_modules is up to date with the lockfile
  [ -f "$1/node_modules/.package-lock.json" ] &&
    [ "$1/node_modules/.package-lock.json" -nt "$1/package-lock.json" ] && return 0
  (cd "$1" && npm ci --no-audit --no-fund --silent >/dev/null)
}
install web
install bench/cedar
[ "${1:-}" = "--browser" ] && install tests/web
exit 0
