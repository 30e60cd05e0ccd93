#!/usr/bin/env bash
# Stage 1: Debian source packages for CPython 3.11, zlib, bzip2, xz-utils,
# SQLite, tzdata and wasi-libc (its preopens.c is patched in link-python.sh),
# cached in work/src.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${CAPSULE_BUILD_WORK:-$here/work}"
# The toolchain (Debian packages). Installed when missing (CI runs as root).
need=()
for pkg in clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 dpkg-dev python3.11 tcl gcc make; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "fetch: installing ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}"
fi
mkdir -p "$work/src"
cd "$work/src"
want=(python3.11 zlib wasi-libc bzip2 xz-utils sqlite3 tzdata)
missing=()
for pkg in "${want[@]}"; do ls -d "$pkg"-*/ >/dev/null 2>&1 || missing+=("$pkg"); done
if [ ${#missing[@]} -eq 0 ]; then
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
apt-get source -qq "${missing[@]}"
ls -d */
