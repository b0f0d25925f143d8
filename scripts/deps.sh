#!/usr/bin/env bash
# Installs the Debian packages caveat builds and tests with, where missing.
# Run as root (or with sudo available) on Debian 12.
set -euo pipefail
packages=(cmake make gcc g++ pkg-config libjansson-dev libcjson-dev libgeos-dev libproj-dev
          libnetcdf-dev gmt-dcw libcmocka-dev libmicrohttpd-dev curl clang-format
          python3-dev python3-pytest python3-numpy python3-pandas python3-matplotlib
          python3-dask python3-distributed man-db)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "caveat: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
