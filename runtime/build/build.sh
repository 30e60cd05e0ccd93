#!/usr/bin/env bash
# Rebuilds the Python sandbox from source (see runtime/README.md). Idempotent:
# each stage is cached in $CAPSULE_BUILD_WORK (default runtime/build/work/).
#   CAPSULE_SANDBOX_OUT   where the artifacts go (default runtime/artifacts)
#   CAPSULE_BUILD_FROM    first stage to redo: fetch|zlib|libs|cpython|link|stdlib|wizer
#                         (later stages always rerun; they take ~15 s)
# Needs root for apt (deb-src + dpkg-dev) the first time, clang-19, lld-19,
# wasi-libc, libclang-rt-19-dev-wasm32 and /usr/bin/python3.11.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/env.sh"
started=$(date +%s)
stage() { echo "== $1 ($(( $(date +%s) - started )) s)"; }

case "${CAPSULE_BUILD_FROM:-}" in
  fetch) rm -rf "$work/src" ;&
  zlib) rm -rf "$prefix" ;&
  libs) rm -f "$prefix"/lib/lib{bz2,lzma,sqlite3}.a ;&
  cpython) rm -rf "$pybuild" ;&
  link) rm -f "$work/python-linked.wasm" ;;
  stdlib|wizer|"") ;;
  *) echo "build: unknown CAPSULE_BUILD_FROM=$CAPSULE_BUILD_FROM" >&2; exit 2 ;;
esac

mkdir -p "$work"
stage fetch;   "$here/fetch-sources.sh"
stage zlib;    "$here/build-zlib.sh"
stage libs;    "$here/build-libs.sh"
stage cpython; "$here/build-cpython.sh"
stage link;    "$here/link-python.sh"

stage stdlib
mkdir -p "$work/stdlib"
# Time-zone data: Debian's tzdata source compiled with the build machine's zic.
tzsrc=$(echo "$work"/src/tzdata-*/) && rm -rf "$work/zoneinfo"
(cd "$tzsrc" && zic -b slim -d "$work/zoneinfo" africa antarctica asia australasia europe northamerica southamerica etcetera backward factory)
/usr/bin/python3.11 "$here/make-stdlib.py" "$pysrc/Lib" "$pybuild/build/lib.wasi-wasm32-3.11" "$work/stdlib/python311.zip" \
  "$here/stdlib-extra" "$work/zoneinfo"

stage wizer
# Pre-initialise: CPython started, common stdlib and the SDK imported.
rm -f "$work/python-wizened.wasm"
"$here/../../node_modules/.bin/wizer" "$work/python-linked.wasm" -o "$work/python-wizened.wasm" \
  --allow-wasi --init-func wizer.initialize --inherit-stdio true --wasm-bulk-memory true \
  --mapdir "/usr/local/lib::$work/stdlib" --mapdir "/capsule/sdk::$here/../../python-sdk" \
  --preload "capsule:host/host@0.1.0=$here/src/host-stub.wat"

stage component
node "$here/componentize.mjs" "$work/python-wizened.wasm" "$work/python-component.wasm" "$work/gen"

stage assemble
node "$here/assemble.mjs" "$work" "$out"
node "$here/prepare.mjs" "$out"
stage done
