#!/usr/bin/env bash
# Stage 1: Debian source packages for CPython 3.11 and zlib (cached in work/src).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${CAPSULE_BUILD_WORK:-$here/work}"
mkdir -p "$work/src"
cd "$work/src"
if ls -d python3.11-*/ zlib-*/ >/dev/null 2>&1; then
  echo "fetch: sources already present"; exit 0
fi
# apt-get source needs a deb-src line; add one for bookworm main (the security
# pool is not mirrored on every machine, so the point release is used).
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > /etc/apt/sources.list.d/capsule-deb-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
fi
command -v dpkg-source >/dev/null || apt-get install -y -qq dpkg-dev
apt-get source -qq python3.11 zlib
ls -d */
