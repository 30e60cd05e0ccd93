#!/usr/bin/env bash
# Stage 2: zlib (Debian source) as a static wasm32-wasi library in work/wasm-prefix.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [ -f "$prefix/lib/libz.a" ]; then echo "zlib: cached"; exit 0; fi
rm -rf "$work/zlib-build" && cp -r "$work"/src/zlib-1.2.13.dfsg "$work/zlib-build"
cd "$work/zlib-build"
CFLAGS="$wasm_cflags" CHOST=wasm32 ./configure --static --prefix="$prefix" >/dev/null
make -j"$jobs" libz.a >"$work/zlib-build.log" 2>&1
make install >/dev/null
echo "zlib: built $(ls -la "$prefix/lib/libz.a" | awk '{print $5}') bytes"
