# Shared settings for the sandbox build stages (sourced, not run).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${CAPSULE_BUILD_WORK:-$here/work}"
out="${CAPSULE_SANDBOX_OUT:-$here/../artifacts}"
prefix="$work/wasm-prefix"          # zlib and friends, built for wasm32-wasi
pysrc="$work/src/python3.11-3.11.2"
pybuild="$work/cpython-build"
jobs="${CAPSULE_BUILD_JOBS:-2}"
# -B: clang runs any wasm-opt on PATH after each optimised link, and Debian's binaryen 108
# cannot read clang-19's output: configure's link tests then failed, and CPython was built
# without _sqlite3, silently. The no-op one in no-wasm-opt/ is found first; the build runs
# binaryen itself where it wants it (assemble.mjs). clang-19's --no-wasm-opt writes no file.
export CC="clang-19 --target=wasm32-wasi -B$here/no-wasm-opt/"
export AR=llvm-ar-19 RANLIB=llvm-ranlib-19
# The optimisation level (CAPSULE_BUILD_OPT, for experiments; see runtime/README.md).
# clang-19 turns the -Wno-error ones into errors; CPython 3.11 and zlib predate that.
wasm_cflags="${CAPSULE_BUILD_OPT:--O2} -mbulk-memory -Wno-error=int-conversion -Wno-error=incompatible-pointer-types -Wno-error=incompatible-function-pointer-types -Wno-error=implicit-function-declaration"
