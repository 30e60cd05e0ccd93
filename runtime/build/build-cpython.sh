#!/usr/bin/env bash
# Stage 3: CPython 3.11 (Debian source) cross-compiled for wasm32-wasi.
# Produces libpython3.11.a + the built-in module objects in work/cpython-build;
# link-python.sh links them with the capsule main (not Programs/python.c).
# Host libraries that configure could see through pkg-config are kept out:
# only zlib, bzip2, liblzma and SQLite (built for wasm in stage 2) are linked.
set -euo pipefail
source "$(dirname "$0")/env.sh"
/usr/bin/python3.11 "$here/patches/apply-cpython.py" "$pysrc"  # idempotent
# pymalloc: configure turns it off for WASI by default, and every object then
# went through dlmalloc (~10% of the sandbox's CPU time in a profile); with it,
# the bench's workloads take 1-13% less fuel (runtime/build/README.md).
# A cache configured before it was added must not build a sandbox without it.
if [ -f "$pybuild/pyconfig.h" ] && ! grep -q '^#define WITH_PYMALLOC 1' "$pybuild/pyconfig.h"; then
  echo "cpython: $pybuild was configured without pymalloc; rebuild it with CAPSULE_BUILD_FROM=cpython" >&2; exit 1
fi
if [ -f "$pybuild/libpython3.11.a" ] && [ -f "$pybuild/python.wasm" ]; then echo "cpython: cached"; exit 0; fi
mkdir -p "$pybuild" && cd "$pybuild"
if [ ! -f Makefile ]; then
  CONFIG_SITE="$pysrc/Tools/wasm/config.site-wasm32-wasi" \
  CFLAGS="$wasm_cflags" \
  ZLIB_CFLAGS="-I$prefix/include" ZLIB_LIBS="-L$prefix/lib -lz" \
  BZIP2_CFLAGS="-I$prefix/include" BZIP2_LIBS="-L$prefix/lib -lbz2" \
  LIBLZMA_CFLAGS="-I$prefix/include" LIBLZMA_LIBS="-L$prefix/lib -llzma" \
  LIBSQLITE3_CFLAGS="-I$prefix/include" \
  LIBSQLITE3_LIBS="-L$prefix/lib -lsqlite3 -lwasi-emulated-getpid -lwasi-emulated-mman" \
  PKG_CONFIG=false \
  py_cv_module__uuid=n/a py_cv_module__crypt=n/a py_cv_module__ssl=n/a \
  py_cv_module__hashlib=n/a py_cv_module__ctypes=n/a py_cv_module__dbm=n/a \
  py_cv_module__gdbm=n/a py_cv_module_readline=n/a py_cv_module__curses=n/a \
  py_cv_module__curses_panel=n/a py_cv_module__tkinter=n/a py_cv_module_nis=n/a \
  "$pysrc/configure" --host=wasm32-unknown-wasi --build="$("$pysrc/config.guess")" \
    --with-build-python=/usr/bin/python3.11 --prefix=/usr/local \
    --disable-ipv6 --disable-test-modules --without-ensurepip --disable-shared --with-pymalloc \
    > configure.log 2>&1 || { tail -30 configure.log; exit 1; }
fi
make -j"$jobs" > make.log 2>&1 || { tail -40 make.log; exit 1; }
grep -E '^(zlib|_bz2|_lzma|_sqlite3|_md5|_sha1|_sha256|_blake2|_json|_decimal|math|_random|binascii)' Modules/Setup.stdlib Modules/Setup.bootstrap 2>/dev/null | head -20 || true
# The modules built on stage 2's libraries must be there: configure drops a module it
# cannot link, and the build would go on without it.
for m in zlib _bz2 _lzma _sqlite3; do
  grep -qE "^$m " Modules/Setup.stdlib Modules/Setup.bootstrap 2>/dev/null || { echo "cpython: the $m module was not configured (see $pybuild/config.log)" >&2; exit 1; }
done
ls -la python.wasm libpython3.11.a
