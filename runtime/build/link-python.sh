#!/usr/bin/env bash
# Stage 4: link python.wasm with the capsule main (runtime/build/src/capsule_main.c),
# a patched wasi-libc preopens.c (the table is rebuilt when constructors re-run
# after the wizer snapshot, instead of keeping build-time fds), exports for
# wizer and cabi_realloc.
set -euo pipefail
source "$(dirname "$0")/env.sh"
out_wasm="$work/python-linked.wasm"
srcs=("$here/src/capsule_main.c" "$here/src/link.mk" "$0")
# The wasm stack: CPython's C frames per recursion level (see runtime/README.md);
# the patched CPython raises RecursionError before it runs out (patches/).
stack_size="${CAPSULE_STACK_SIZE:-2097152}"
if [ -f "$out_wasm" ] && [ "$(cat "$out_wasm.stack" 2>/dev/null)" = "$stack_size" ] \
   && [ -z "$(find "${srcs[@]}" "$pybuild/libpython3.11.a" -newer "$out_wasm")" ]; then
  echo "link: cached"; exit 0
fi
obj="$work/capsule-objs" && mkdir -p "$obj"
# wasi-libc's preopen table, patched to reset itself before repopulating.
libc_src=$(echo "$work"/src/wasi-libc-*/)
[ -d "$libc_src" ] || { echo "link: no wasi-libc source in $work/src (run fetch-sources.sh)" >&2; exit 1; }
sed 's|^static void __wasilibc_populate_preopens(void) {|&\n    for (size_t i = 0; i < num_preopens; ++i) free((char *)preopens[i].prefix);\n    num_preopens = 0; /* capsule: drop the snapshot'"'"'s table */|' \
  "$libc_src/libc-bottom-half/sources/preopens.c" > "$obj/preopens.c"
grep -q "capsule: drop" "$obj/preopens.c" || { echo "link: preopens patch did not apply" >&2; exit 1; }
$CC $wasm_cflags -DNDEBUG -c "$obj/preopens.c" -o "$obj/preopens.o"
$CC $wasm_cflags -I"$pybuild" -I"$pysrc/Include" -c "$here/src/capsule_main.c" -o "$obj/capsule_main.o"
make -s -C "$pybuild" -f Makefile -f "$here/src/link.mk" capsule-link \
  CAPSULE_OUT="$out_wasm" CAPSULE_OBJS="$obj/capsule_main.o $obj/preopens.o" \
  CONFIGURE_LDFLAGS_NODIST="-z stack-size=$stack_size -Wl,--stack-first -Wl,--initial-memory=$((stack_size + 9 * 1048576)) -Wl,--strip-debug"
echo "$stack_size" > "$out_wasm.stack"
ls -la "$out_wasm"
