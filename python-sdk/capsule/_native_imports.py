"""Clear errors for modules that cannot load in the sandbox: C extensions
(there is no extension loader in WASI) and the standard-library modules the
build leaves out. Installed by the driver (capsule._guest) as two meta-path
finders."""
import sys

from capsule._unavailable import UNAVAILABLE_STDLIB

# Well-known packages that need native code; importing one explains why it fails.
C_EXTENSION_PACKAGES = frozenset({
    "numpy", "pandas", "scipy", "sklearn", "torch", "tensorflow", "lxml", "PIL",
    "cryptography", "psycopg2", "pydantic_core", "orjson", "ujson", "matplotlib",
    "grpc", "yaml._yaml", "_cffi_backend", "cffi", "numba", "polars", "pyarrow",
})
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib")


class _NativeImportGuard:
    """Last meta-path finder: turns 'not found' for a native module into a
    clear error instead of a confusing ModuleNotFoundError deep in a package."""

    def find_spec(self, fullname, path=None, target=None):
        # Only an import statement (or importlib.import_module) gets the error:
        # importlib.util.find_spec("numpy") must answer None, as for any module
        # that is not there, so `if find_spec(...) is None:` fallbacks work.
        if not _importing():
            return None
        top = fullname.partition(".")[0]
        why = UNAVAILABLE_STDLIB.get(fullname) or UNAVAILABLE_STDLIB.get(top)
        if why:
            # "No module named 'x'" first, as CPython words it, so code matching it still does.
            raise ModuleNotFoundError("No module named %r: %s" % (fullname, why), name=fullname)
        if fullname in C_EXTENSION_PACKAGES or top in C_EXTENSION_PACKAGES:
            raise _native_error(fullname)
        if _native_file_on(fullname, path):
            # No `name`: `from pkg import native` would take a ModuleNotFoundError
            # named pkg.native for "no such submodule" and hide this message.
            raise _native_error(fullname, named=False)
        return None


class _NativeBesideNamespace:
    """Just before the path finder: a native module `m.so` beside a directory
    `m/` holding no __init__.py (typing stubs, as cryptography ships for its
    Rust bindings). Natively the extension wins; here the directory would be
    imported as an empty namespace package and the import fail later with a
    baffling ImportError, so it gets the C-extension error instead."""

    def find_spec(self, fullname, path=None, target=None):
        from importlib.machinery import PathFinder
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.origin is not None or not _importing():
            return spec  # found as usual (or not at all: the other finders go on)
        if _native_file_on(fullname, path):
            raise _native_error(fullname, named=False)
        return spec


def _native_file_on(fullname, path):
    """Is there a compiled extension (`leaf.*.so`, `.pyd`...) for this module on `path` (or sys.path)?"""
    import os
    leaf = fullname.rpartition(".")[2]
    for base in (path or sys.path):
        try:
            names = os.listdir(base or ".")
        except OSError:
            continue
        if any(n.startswith(leaf + ".") and n.endswith(NATIVE_SUFFIXES) for n in names):
            return True
    return False


def _importing():
    """True when the import system itself is loading a module: the finder is
    called by importlib._bootstrap._find_spec on behalf of _find_and_load_unlocked
    (an import), not of importlib.util.find_spec (a probe)."""
    frame = sys._getframe(3)  # _importing <- find_spec <- _find_spec <- its caller
    return frame is not None and frame.f_code.co_name == "_find_and_load_unlocked"


def _native_error(name, named=True):
    """Names the import the user wrote (the outermost one in progress), and the
    native module it needs when that is deeper: `cannot import
    'cryptography.fernet': ... needs the C extension
    'cryptography.hazmat.bindings._rust' ...`."""
    wanted = _outermost_import() or name
    rule = ("C extensions are not supported in the Capsule sandbox (only pure-Python "
            "packages and the standard library run there)")
    if wanted == name:
        text = "cannot import %r: it is a C-extension package, and %s" % (name, rule)
    else:
        text = "cannot import %r: the package %r needs the C extension %r, and %s" % (
            wanted, name.partition(".")[0], name, rule)
        named = False  # named for the user's import, a `from pkg import mod` would swallow it
    # A ModuleNotFoundError, so `except ModuleNotFoundError:` fallbacks catch it too.
    return ModuleNotFoundError(text, name=name if named else None)


def _outermost_import():
    """The module name of the outermost import being loaded on this stack."""
    wanted = None
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "_find_and_load" and code.co_filename.startswith("<frozen importlib"):
            wanted = frame.f_locals.get("name", wanted)
        frame = frame.f_back
    return wanted


def install():
    """Puts the two finders on sys.meta_path (again, replacing any earlier copy)."""
    # By class name: a re-imported driver replaces the snapshot's guard.
    ours = ("_NativeImportGuard", "_NativeBesideNamespace")
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ not in ours]
    from importlib.machinery import PathFinder
    at = sys.meta_path.index(PathFinder) if PathFinder in sys.meta_path else len(sys.meta_path)
    sys.meta_path.insert(at, _NativeBesideNamespace())
    sys.meta_path.append(_NativeImportGuard())
