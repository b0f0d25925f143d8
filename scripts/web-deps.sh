#!/usr/bin/env bash
# Installs what the web page and its browser tests need: Leaflet for the page
# (web/), playwright-core for the tests (tests/web/), both from the npm
# registry by their lockfiles; with --browser also Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
command -v npm >/dev/null || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
}
[ -f web/node_modules/leaflet/dist/leaflet.js ] ||
  (cd web && npm ci --no-audit --no-fund --silent >/dev/null)
if [ "${1:-}" = "--browser" ]; then
  [ -d tests/web/node_modules/playwright-core ] ||
    (cd tests/web && npm ci --no-audit --no-fund --silent >/dev/null)
fi
