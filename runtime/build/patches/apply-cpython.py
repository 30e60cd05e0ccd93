"""Capsule's patches to CPython 3.11's source (run by build-cpython.sh; idempotent).

1. A C-stack guard for WASI. CPython 3.11 bounds C recursion only by the
   recursion limit; on wasm32-wasi an overflow of the shadow stack runs into
   the data below it (--stack-first makes that a trap) instead of raising. The
   guard reads the stack pointer (one global.get) wherever CPython counts a
   recursion level and raises RecursionError, with CPython's own message, when
   less than 256 KB of stack is left. While that error is being raised
   (recursion_headroom) calls may go on down to the last 64 KB.
"""
import sys

MARK = "capsule: wasi stack guard"


def patch(path, old, new):
    with open(path) as f:
        text = f.read()
    if MARK in text:
        return
    if text.count(old) != 1:
        sys.exit("apply-cpython: %s: the text to patch was not found exactly once" % path)
    with open(path, "w") as f:
        f.write(text.replace(old, new))
    print("apply-cpython: patched", path)


def main(src):
    patch(src + "/Include/internal/pycore_ceval.h",
          """#else
static inline int _Py_MakeRecCheck(PyThreadState *tstate) {
    return tstate->recursion_remaining-- <= 0;
}
#endif
""",
          """#elif defined(__wasi__)
/* capsule: wasi stack guard (runtime/build/patches/apply-cpython.py) */
extern char __stack_low;
static inline int _Py_WasiStackLow(uintptr_t reserve) {
    return (uintptr_t)__builtin_frame_address(0) < (uintptr_t)&__stack_low + reserve;
}
#define _PY_WASI_STACK_RESERVE (256 * 1024)
#define _PY_WASI_STACK_HEADROOM (64 * 1024)
static inline int _Py_MakeRecCheck(PyThreadState *tstate) {
    return tstate->recursion_remaining-- <= 0 || _Py_WasiStackLow(_PY_WASI_STACK_RESERVE);
}
#else
static inline int _Py_MakeRecCheck(PyThreadState *tstate) {
    return tstate->recursion_remaining-- <= 0;
}
#endif
""")
    patch(src + "/Python/ceval.c",
          """    /* Check against global limit first. */
    int depth = tstate->recursion_limit - tstate->recursion_remaining;
""",
          """#ifdef __wasi__
    /* capsule: wasi stack guard: the C stack is nearly full */
    if (_Py_WasiStackLow(_PY_WASI_STACK_RESERVE)) {
        if (tstate->recursion_headroom) {
            if (_Py_WasiStackLow(_PY_WASI_STACK_HEADROOM)) {
                Py_FatalError("Cannot recover from stack overflow.");
            }
            return 0;
        }
        tstate->recursion_headroom++;
        _PyErr_Format(tstate, PyExc_RecursionError,
                      "maximum recursion depth exceeded%s", where);
        tstate->recursion_headroom--;
        ++tstate->recursion_remaining;
        return -1;
    }
#endif
    /* Check against global limit first. */
    int depth = tstate->recursion_limit - tstate->recursion_remaining;
""")


if __name__ == "__main__":
    main(sys.argv[1])
