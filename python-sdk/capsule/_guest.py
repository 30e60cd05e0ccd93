"""The in-sandbox driver: runs one task per WebAssembly instance.

`preload()` runs once at build time inside the wizer snapshot (imports the
common stdlib so tasks start warm). `main()` runs once per instance: it asks
the host for the task spec, runs the task and reports its outcome through the
`_capsule_host` builtin (never through the exit code).
"""
import sys

from capsule import _declared, _native_imports

PROJECT_DIR = "/project"

# Imported inside the snapshot: per-task imports of these cost nothing.
PRELOAD = (
    "json", "math", "re", "datetime", "collections", "itertools", "functools",
    "dataclasses", "typing", "decimal", "fractions", "statistics", "random",
    "hashlib", "base64", "zlib", "textwrap", "string", "enum", "pathlib", "csv",
    "io", "time", "traceback", "runpy", "copy", "operator", "heapq", "bisect",
    "struct", "uuid", "urllib.parse", "contextlib", "abc", "types", "warnings",
    "asyncio", "urllib.request",
)

# CPython's default. The wasm stack (link-python.sh) holds far more frames
# than this, so a task that raises the limit gets a RecursionError, not a crash.
RECURSION_LIMIT = 1000


def preload():
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError as exc:  # an optional module must not break the build
            sys.stderr.write("capsule: preload skipped %s: %s\n" % (name, exc))
    install_hooks()
    import capsule  # noqa: F401  (the SDK, so `from capsule import task` is free)
    _prime()
    sys.setrecursionlimit(RECURSION_LIMIT)
    # The snapshot's ~18,000 objects go to the permanent generation: otherwise each of a
    # task's young-generation collections walked them all (a file of four tasks spent 2.4M
    # of its 3.9M start-up fuel in the collector).
    import gc
    gc.collect()
    gc.freeze()


def install_hooks():
    """The interpreter-wide hooks this module installs. Run by preload() in the
    snapshot, and again by a freshly imported driver when the SDK on disk
    differs from the snapshot's (so edits to these hooks take effect too)."""
    _native_imports.install()
    _install_user()
    _install_asyncio_loop()
    _install_urllib_bridge()
    _install_http_client_bridge()


# A task file as the primer runs it: every @task argument kind, an async task.
_PRIMER = '''
from capsule import task

@task(name="_capsule_primer", compute="MEDIUM", ram="64MB", timeout="1m30s", max_retries=1,
      allowed_files=["data", {"path": "out", "mode": "read-only"}],
      allowed_hosts=["api.example.com", "*.example.org"], env_variables=["HOME"])
async def _capsule_primer(n: int = 1) -> dict:
    return {"n": n}
'''


def _prime():
    """Runs, in the snapshot, what each task start runs for the first time:
    compiling and executing a task file (the decorator's regular expressions
    compile on first use), asyncio.run, JSON both ways. A sub-task in a fan-out
    started ~5 ms sooner with these warm."""
    import asyncio
    import json
    from capsule import _registry
    exec(compile(_PRIMER, "<capsule primer>", "exec"), {"__name__": "__capsule_primer__"})
    entry = _registry.TASKS.pop("_capsule_primer")
    asyncio.run(_await(entry.func(1)))
    json.loads(_encode_result(json.loads('{"a": [1, 2.5, "x", null, true]}')))


TASK_UID = 1000  # the one user of the stdlib zip's pwd and grp modules


def _install_user():
    """WASI has no users; every task runs as uid/gid 1000 ("capsule", home
    /tmp), so getpass.getuser(), pwd and os.path.expanduser answer as on Linux."""
    import os
    for name in ("getuid", "geteuid", "getgid", "getegid"):
        if not hasattr(os, name):
            setattr(os, name, lambda: TASK_UID)


def _install_asyncio_loop():
    """WASI has no socketpair, which the selector loop's self-pipe needs; a
    single-threaded task never wakes the loop from another thread, so drop it."""
    try:
        import asyncio
        import selectors
    except ImportError:
        return

    class CapsuleEventLoop(asyncio.SelectorEventLoop):
        def __init__(self):
            super().__init__(selectors.SelectSelector())

        def _make_self_pipe(self):
            self._ssock = self._csock = None

        def _close_self_pipe(self):
            pass

        def _write_to_self(self):
            pass

    class CapsuleLoopPolicy(asyncio.DefaultEventLoopPolicy):
        _loop_factory = CapsuleEventLoop

    asyncio.set_event_loop_policy(CapsuleLoopPolicy())


def _install_urllib_bridge():
    """The sandbox has no sockets: urllib.request sends http(s) requests to the
    host's HTTP gate (op http.request, through capsule.http), which applies the
    task's allowed_hosts. A refused request raises PermissionError."""
    try:
        import urllib.request
    except ImportError:
        return

    class CapsuleHostHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return _urllib_via_host(req)

        https_open = http_open

    class HTTPSHandler(urllib.request.AbstractHTTPHandler):
        """urllib.request defines HTTPSHandler only when ssl imports, but
        build_opener() adds it once http.client has HTTPSConnection, which the
        http.client bridge provides: without this, build_opener() (the task's,
        or this function run again by a re-imported driver) raised NameError."""
        capsule_bridge = True

        def https_open(self, req):
            return _urllib_via_host(req)

        https_request = urllib.request.AbstractHTTPHandler.do_request_

    if getattr(urllib.request, "HTTPSHandler", HTTPSHandler).__dict__.get("capsule_bridge"):
        urllib.request.HTTPSHandler = HTTPSHandler
    urllib.request.install_opener(urllib.request.build_opener(CapsuleHostHandler))


def _install_http_client_bridge():
    """http.client.HTTPConnection / HTTPSConnection through the same gate."""
    try:
        from capsule import _http_client
        _http_client.install()
    except ImportError as exc:
        sys.stderr.write("capsule: http.client bridge skipped: %s\n" % exc)


def _urllib_via_host(req):
    import http.client
    import io
    import urllib.response
    from capsule import http as capsule_http
    timeout = req.timeout if isinstance(req.timeout, (int, float)) else None
    res = capsule_http._via_host(req.get_method(), req.full_url, dict(req.header_items()), req.data, timeout)
    headers = http.client.HTTPMessage()
    for name, value in res.headers.items():
        headers[name] = value
    response = urllib.response.addinfourl(io.BytesIO(res.content), headers, res.url, res.status_code)
    response.msg = res.reason
    return response


# ---- per task -------------------------------------------------------------

def _host():
    import _capsule_host
    return _capsule_host


def _report(outcome):
    """`outcome` is a dict, or the JSON text of a successful result."""
    import json
    try:
        text = outcome if isinstance(outcome, str) else json.dumps(outcome)
    except MemoryError:
        text = _OUT_OF_MEMORY
    _host().call("task.result", text)


# Made before the task runs: reporting must not need memory the task used up.
_OUT_OF_MEMORY = '{"ok": false, "error_type": "out_of_memory", "message": "MemoryError: the task ran past its memory limit"}'


def _fresh_driver():
    """The snapshot holds the SDK as it was at build time; the host says when
    the SDK on disk differs (development, `spec.sdkStale`): drop the snapshot's
    copy, this module included, and import the current files from
    /capsule/sdk. Returns the fresh `capsule._guest`, its hooks installed."""
    import importlib
    for name in [m for m in sys.modules if m == "capsule" or m.startswith("capsule.")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    fresh = importlib.import_module("capsule._guest")
    fresh.install_hooks()
    return fresh


def _prepare(spec):
    import os
    import random
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in (spec.get("env") or {}).items()})
    # The snapshot froze the generator: re-seed it from the host's CSPRNG (256 bits
    # are plenty, and cheaper than the 2.5 KB random.seed() would read).
    random.seed(int.from_bytes(os.urandom(32), "big"))
    os.chdir(PROJECT_DIR)
    file_dir = os.path.dirname(os.path.join(PROJECT_DIR, spec["file"]))
    for entry in (PROJECT_DIR, file_dir):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    _add_python_path(spec.get("pythonPath"))


def _add_python_path(entries):
    """The project's packages (its virtualenv's site-packages, capsule.toml's
    python_path), mounted read-only by the host: appended to sys.path after the
    project and the standard library, as `site` does for a virtualenv, with
    their .pth files honoured. Zip archives go on sys.path as they are."""
    if not entries:
        return
    import site
    for entry in entries:
        if entry.endswith((".zip", ".pyz", ".egg", ".whl")):
            if entry not in sys.path:
                sys.path.append(entry)
        else:
            site.addsitedir(entry)


def _call_task(spec):
    import inspect
    path = PROJECT_DIR + "/" + spec["file"].lstrip("/")
    code = _compile_file(path, spec["file"])  # a file that does not compile never starts
    _host().call("task.run", "")  # user code starts here: the host stops the start-up clock
    _run_code(code, path)
    from capsule import _registry  # after the file: a re-imported SDK (sdkStale) counts as the task's
    name = spec["taskName"]
    entry = _registry.TASKS.get(name)
    if entry is None:
        known = ", ".join(sorted(_registry.TASKS)) or "none"
        raise LookupError("no task named %r in %s (tasks found: %s)" % (name, spec["file"], known))
    _declared.check(entry, spec)
    value = entry.func(*(spec.get("args") or []), **(spec.get("kwargs") or {}))
    if inspect.isawaitable(value):
        import asyncio
        value = asyncio.run(_await(value))
    return value


TASK_MODULE = "__capsule_task__"

def _compile_file(path, rel):
    """The task's file as code: the host's bytecode for its current bytes if it
    has some, else CPython's verdict on the source: a SyntaxError (or NUL bytes)
    is a SourceError, which the host reports as a configuration error at file:line:col."""
    code = _cached_code(path)
    if code is not None:
        return code
    import io
    from capsule import _outcome
    with io.open_code(path) as f:
        source = f.read()
    try:
        return compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise _outcome.SourceError(rel, exc) from None


def _cached_code(path):
    """The host's bytecode cache (runtime/src/sandbox/pycache.ts) answers a read
    of the file's __pycache__ entry when it holds its current bytes, compiled by
    the host's CPython 3.11 as compile() would here; a miss is noted, and the
    host compiles it after the task. A hit skips CPython's compiler: in a fresh
    process V8 compiles each wasm function at its first call, and the compiler's
    are most of what a small task's start-up calls first (cold `capsule run`)."""
    import importlib.util
    import marshal
    try:
        with open(importlib.util.cache_from_source(path), "rb") as f:
            data = f.read()
    except (OSError, ValueError):
        return None
    if len(data) < 16 or data[:4] != importlib.util.MAGIC_NUMBER:
        return None
    try:
        code = marshal.loads(data[16:])
    except (EOFError, ValueError, TypeError):
        return None
    # Compiled for the path as the host spells it: only that code is this file's.
    return code if getattr(code, "co_filename", None) == path else None


def _run_code(code, path):
    """Runs the task's file as module `__capsule_task__` (so `if __name__ ==
    "__main__"` blocks stay out). What runpy.run_path does for a source file,
    without its zipimport probe: a sub-task in a fan-out starts ~1 ms sooner.
    The module stays in sys.modules while the task runs, so pickle and
    dataclasses can find the file's classes by their module name."""
    import types
    module = types.ModuleType(TASK_MODULE)
    module.__file__ = path
    module.__cached__ = None
    module.__package__ = ""
    sys.modules[TASK_MODULE] = module
    exec(code, module.__dict__)


async def _await(awaitable):
    return await awaitable


def _encode_result(value):
    """The success report as JSON text (encoded once, inside the task's try)."""
    from capsule import _outcome
    return _outcome.success(value)


def _error(error_type, exc, with_traceback=True):
    from capsule import _outcome
    outcome = _outcome.failure(exc)
    if isinstance(outcome, dict) and outcome.get("error_type") == "task_error":
        outcome["error_type"] = error_type
    return outcome


def main():
    """Per instance, from the snapshot: fetch the spec, then run it with this
    module, or with the SDK's current driver when the files on disk differ
    from the snapshot's. Keep it this small: the snapshot's copy of main()
    is the one part of the driver that only a rebuild changes; the rest of
    the per-task work belongs in run_spec()."""
    import json
    raw = _host().call("task.start", "")
    try:
        spec = json.loads(raw)
    except RecursionError as exc:
        _report({"ok": False, "error_type": "task_error",
                 "message": "the task's arguments are nested too deeply to decode: %s" % exc})
        return
    driver = sys.modules[__name__]
    if spec.get("sdkStale"):
        try:
            driver = _fresh_driver()
        except BaseException as exc:  # noqa: B902  (an SDK being edited may not import)
            _report(_error("task_error", exc))
            return
    driver.run_spec(spec)


def run_spec(spec):
    """Runs one task from its decoded spec and reports the outcome."""
    ended = None
    try:
        _prepare(spec)
        outcome = _encode_result(_call_task(spec))
    except BaseException as exc:  # noqa: B902  (everything becomes an outcome: capsule/_outcome.py)
        from capsule import _outcome
        outcome = _outcome.failure(exc)
        # Kept until the outcome is sent: freeing the frames (a MemoryError's
        # huge locals) can cost more fuel than is left, and the first limit the
        # task hit must be the one reported.
        ended = exc
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    _report(outcome)
    del ended
