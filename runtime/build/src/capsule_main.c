/* Capsule's entry point for python.wasm (replaces Programs/python.c).
 *
 * - `wizer.initialize` (run once at build time by wizer) initialises CPython and
 *   imports the common stdlib + the capsule SDK, so the snapshot starts warm.
 * - `_start` (the WASI command entry, called once per task) re-runs the C
 *   constructors, initialises CPython only if the snapshot did not, then runs
 *   `capsule._guest.main()`.
 * - `cabi_realloc` is malloc-backed: the preview1 adapter's bump allocator
 *   asserts once Python has allocated ~40 MB.
 * - `_capsule_host.call(op, payload) -> str` calls the component import
 *   `capsule:host/host@0.1.0#call`, lowered by hand with the canonical ABI.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern void __wasm_call_ctors(void);

static int capsule_initialised; /* 1 inside the snapshot */

/* ---- canonical ABI helpers -------------------------------------------- */

__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
    (void)old_size; (void)align; /* malloc aligns to 16, enough for any canonical type */
    if (new_size == 0) return (void *)align; /* zero-size allocations are never read */
    void *p = realloc(ptr, new_size);
    if (p == NULL) abort();
    return p;
}

/* result<string, string> returned through a return area: tag, then (ptr, len). */
typedef struct { uint8_t tag; uint8_t pad[3]; char *ptr; size_t len; } host_ret_t;

__attribute__((import_module("capsule:host/host@0.1.0"), import_name("call")))
extern void capsule_host_call_raw(const char *op, size_t op_len,
                                  const char *payload, size_t payload_len,
                                  host_ret_t *ret);

/* ---- the _capsule_host builtin module --------------------------------- */

static PyObject *HostError; /* raised when the host answers with err(...) */

static PyObject *host_call(PyObject *self, PyObject *args) {
    const char *op, *payload;
    Py_ssize_t op_len, payload_len;
    (void)self;
    if (!PyArg_ParseTuple(args, "s#s#:call", &op, &op_len, &payload, &payload_len))
        return NULL;
    host_ret_t ret = {0};
    capsule_host_call_raw(op, (size_t)op_len, payload, (size_t)payload_len, &ret);
    PyObject *text = PyUnicode_DecodeUTF8(ret.ptr ? ret.ptr : "", (Py_ssize_t)ret.len, "replace");
    free(ret.len ? ret.ptr : NULL);
    if (text == NULL) return NULL;
    if (ret.tag == 0) return text;
    PyErr_SetObject(HostError, text);
    Py_DECREF(text);
    return NULL;
}

static PyMethodDef host_methods[] = {
    {"call", host_call, METH_VARARGS,
     "call(op: str, payload: str) -> str\n\nCall the Capsule host; raises HostError on err."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef host_module = {
    PyModuleDef_HEAD_INIT, "_capsule_host", "Calls into the Capsule host.", -1, host_methods,
};

static PyObject *init_capsule_host(void) {
    PyObject *m = PyModule_Create(&host_module);
    if (m == NULL) return NULL;
    HostError = PyErr_NewException("_capsule_host.HostError", PyExc_RuntimeError, NULL);
    if (HostError == NULL || PyModule_AddObjectRef(m, "HostError", HostError) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

/* ---- interpreter start-up ---------------------------------------------- */

/* Guest layout (see runtime/README.md): stdlib zip under /usr/local/lib,
 * the SDK under /capsule/sdk. */
static void init_python(void) {
    PyImport_AppendInittab("_capsule_host", init_capsule_host);
    /* UTF-8 mode: stdio, open(), file names and os.environ are UTF-8, as on a
     * UTF-8 desktop (the isolated default would take the "C" locale: ASCII). */
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.utf8_mode = 1;
    PyStatus pre = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(pre)) Py_ExitStatusException(pre);
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    config.site_import = 0;
    config.write_bytecode = 0;
    config.buffered_stdio = 0;         /* prints stream to the host as they happen */
    config.install_signal_handlers = 0;
    config.module_search_paths_set = 1;
    PyWideStringList_Append(&config.module_search_paths, L"/usr/local/lib/python311.zip");
    PyWideStringList_Append(&config.module_search_paths, L"/capsule/sdk");
    PyConfig_SetString(&config, &config.home, L"/usr/local");
    PyConfig_SetString(&config, &config.program_name, L"python3.11");
    PyStatus status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) Py_ExitStatusException(status);
}

/* capsule._guest.<name>() through the C API (no source to compile per task). */
static int call_driver(const char *name) {
    PyObject *mod = PyImport_ImportModule("capsule._guest");
    PyObject *res = mod ? PyObject_CallMethod(mod, name, NULL) : NULL;
    Py_XDECREF(mod);
    if (res == NULL) {
        PyErr_Print(); /* the driver itself failed: its traceback goes to stderr */
        return -1;
    }
    Py_DECREF(res);
    return 0;
}

__attribute__((export_name("wizer.initialize")))
void capsule_wizer_initialize(void) {
    __wasm_call_ctors(); /* wizer calls us instead of _start */
    init_python();
    if (call_driver("preload") != 0) abort();
    capsule_initialised = 1;
}

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    /* Referencing __wasm_call_ctors (above) stops wasm-ld from calling it in
     * _start, so call it here: after a snapshot this re-reads the environment
     * and rebuilds the preopen table for this instance (patched preopens.c). */
    __wasm_call_ctors();
    if (!capsule_initialised) {
        init_python();
        if (call_driver("preload") != 0) return 70;
    }
    /* The driver reports the outcome itself (task.result); the exit code
     * only says whether the driver got that far. */
    return call_driver("main") == 0 ? 0 : 1;
}
