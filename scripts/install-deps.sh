#!/usr/bin/env bash
# Installs everything Zeal needs to build, run and test on Debian 12. Idempotent; run as root.
# Usage: scripts/install-deps.sh [--no-node]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

apt_packages=(
  build-essential cmake ninja-build ccache pkg-config
  libcaf-dev librocksdb-dev libspdlog-dev libfmt-dev libssl-dev libboost1.81-dev
  clang libclang-rt-14-dev
  gnuplot-nox
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: apt packages present"
fi

if [ "${1:-}" != "--no-node" ] && [ -f "$here/tests/js/package-lock.json" ]; then
  stamp="$here/tests/js/node_modules/.zeal-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$here/tests/js/package-lock.json" "$stamp"; then
    echo "install-deps: npm ci in tests/js"
    (cd "$here/tests/js" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$here/tests/js/package-lock.json" "$stamp"
  else
    echo "install-deps: tests/js/node_modules up to date"
  fi
fi
