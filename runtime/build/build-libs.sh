#!/usr/bin/env bash
# Stage 2b: bzip2, liblzma (xz-utils) and SQLite (Debian sources) as static
# wasm32-wasi libraries in work/wasm-prefix, for CPython's _bz2, _lzma and _sqlite3.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$prefix/lib" "$prefix/include"
src_of() { local d; d=$(echo "$work"/src/"$1"-*/); [ -d "$d" ] || { echo "libs: no $1 source in $work/src (run fetch-sources.sh)" >&2; exit 1; }; echo "${d%/}"; }

if [ ! -f "$prefix/lib/libbz2.a" ]; then
  b="$work/bzip2-build" && rm -rf "$b" && cp -r "$(src_of bzip2)" "$b" && cd "$b"
  for f in blocksort huffman crctable randtable compress decompress bzlib; do $CC $wasm_cflags -D_FILE_OFFSET_BITS=64 -c $f.c -o $f.o; done
  $AR rcs "$prefix/lib/libbz2.a" blocksort.o huffman.o crctable.o randtable.o compress.o decompress.o bzlib.o
  cp bzlib.h "$prefix/include/"
  echo "bzip2: built"
else echo "bzip2: cached"; fi

if [ ! -f "$prefix/lib/liblzma.a" ]; then
  b="$work/xz-build" && rm -rf "$b" && mkdir -p "$b" && cd "$b"
  # mythread.h declares an (unused) sigprocmask wrapper even without threads;
  # wasi-libc's <signal.h> lacks sigset_t (<sys/select.h> has it).
  CFLAGS="$wasm_cflags -D_WASI_EMULATED_SIGNAL -include sys/select.h" "$(src_of xz-utils)/configure" --host=wasm32-unknown-wasi --prefix="$prefix" \
    --disable-shared --enable-static --disable-threads --disable-xz --disable-xzdec --disable-lzmadec \
    --disable-lzmainfo --disable-lzma-links --disable-scripts --disable-doc --disable-nls >configure.log 2>&1 \
    || { tail -20 configure.log; exit 1; }
  make -j"$jobs" -C src/liblzma >make.log 2>&1 || { tail -30 make.log; exit 1; }
  make -C src/liblzma install >/dev/null
  echo "liblzma: built"
else echo "liblzma: cached"; fi

# SQLite: the amalgamation is generated on the build machine (tclsh, cc), then
# compiled for wasm32-wasi. WASI has no fcntl locks: see src/sqlite-wasi.h.
if [ ! -f "$prefix/lib/libsqlite3.a" ]; then
  b="$work/sqlite-build" && rm -rf "$b" && mkdir -p "$b" && cd "$b"
  CC=cc CFLAGS=-O0 "$(src_of sqlite3)/configure" --disable-tcl >configure.log 2>&1 || { tail -20 configure.log; exit 1; }
  make sqlite3.c >make.log 2>&1 || { tail -30 make.log; exit 1; }
  $CC $wasm_cflags -include "$here/src/sqlite-wasi.h" -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_MMAN \
    -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_WAL -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_MAX_MMAP_SIZE=0 \
    -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_JSON1 -DSQLITE_ENABLE_MATH_FUNCTIONS \
    -DSQLITE_EXTRA_INIT=capsule_sqlite_init -c sqlite3.c -o sqlite3.o
  $CC $wasm_cflags -I. -c "$here/src/sqlite-wasi-init.c" -o sqlite-wasi-init.o
  $AR rcs "$prefix/lib/libsqlite3.a" sqlite3.o sqlite-wasi-init.o
  cp sqlite3.h sqlite3ext.h "$prefix/include/"
  echo "sqlite: built"
else echo "sqlite: cached"; fi
ls -la "$prefix/lib"
