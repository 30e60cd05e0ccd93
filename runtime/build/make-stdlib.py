"""Stage 5: the trimmed standard library as one zip of .pyc files.

Run with the build Python (/usr/bin/python3.11, the same 3.11 as the wasm
build, so the bytecode matches).
Usage: make-stdlib.py LIB_DIR SYSCONFIG_DIR OUT_ZIP [EXTRA_DIR [TZ_DIR]]
Each module goes in as `name.pyc` (what zipimport loads) and `name.py` (what
tracebacks, linecache and inspect read through zipimport's get_source()).
EXTRA_DIR: Capsule's own modules (pwd). TZ_DIR: compiled zone files (zic),
packed as the `tzdata` package that zoneinfo falls back to.
"""
import importlib.util
import os
import py_compile
import sys
import tempfile
import zipfile

# Packages and modules that cannot work under WASI or only serve development
# (capsule/_guest.py's UNAVAILABLE_STDLIB says why when a task imports one).
# Pure-Python modules that work stay, even if their use is rare (doctest, pydoc
# for help(), the mail and news clients that fail only when they connect).
DROP_DIRS = {
    "test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3",
    "distutils", "venv", "ctypes", "curses",
    "msilib", "multiprocessing", "__pycache__", "site-packages", "unittest/test",
}
DROP_FILES = {"turtle.py", "antigravity.py", "_osx_support.py", "_aix_support.py",
              "_bootsubprocess.py"}


def wanted(rel):
    parts = rel.split(os.sep)
    if any(p in DROP_DIRS for p in parts[:-1]):
        return False
    if "/".join(parts[:2]) in DROP_DIRS:
        return False
    return rel.endswith(".py") and parts[-1] not in DROP_FILES


def tzdata_entries(tz_dir):
    """(zip name, bytes) for the `tzdata` package layout zoneinfo reads:
    tzdata/zoneinfo/<Area>/<City> as resources of packages (one __init__ per
    directory), and tzdata/zones listing every key (available_timezones())."""
    entries, keys = [], []
    for root, dirs, files in os.walk(tz_dir):
        dirs.sort()
        rel_dir = os.path.relpath(root, tz_dir)
        pkg = "tzdata/zoneinfo" + ("" if rel_dir == "." else "/" + rel_dir.replace(os.sep, "/"))
        entries.append((pkg + "/__init__.py", b""))
        for name in sorted(files):
            with open(os.path.join(root, name), "rb") as fh:
                data = fh.read()
            if not data.startswith(b"TZif"):
                continue
            entries.append((pkg + "/" + name, data))
            keys.append((pkg + "/" + name)[len("tzdata/zoneinfo/"):])
    entries.append(("tzdata/__init__.py", b'"""IANA time zone data (Debian tzdata, compiled with zic)."""\n'))
    entries.append(("tzdata/zones", "".join(k + "\n" for k in sorted(keys)).encode()))
    return entries


def sysconfigdata_alias(name):
    """Debian's sysconfig asks for _sysconfigdata_{abiflags}_{multiarch}
    (_sysconfigdata__wasm32-wasi); the build writes the upstream name with
    the platform in it (_sysconfigdata__wasi_wasm32-wasi). Ship both."""
    return name.replace("_sysconfigdata__wasi_", "_sysconfigdata__", 1)


def main(lib_dir, sysconfig_dir, out_zip, extra_dir=None, tz_dir=None):
    assert sys.version_info[:2] == (3, 11), "build the stdlib with Python 3.11"
    sources = []
    for root, dirs, files in os.walk(lib_dir):
        dirs[:] = sorted(d for d in dirs if d not in DROP_DIRS)
        for name in sorted(files):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, lib_dir)
            if wanted(rel):
                sources.append((full, rel))
    for name in sorted(os.listdir(sysconfig_dir)):
        if name.startswith("_sysconfigdata_") and name.endswith(".py"):
            sources.append((os.path.join(sysconfig_dir, name), name))
            if sysconfigdata_alias(name) != name:
                sources.append((os.path.join(sysconfig_dir, name), sysconfigdata_alias(name)))
    if extra_dir:
        for name in sorted(os.listdir(extra_dir)):
            if name.endswith(".py"):
                sources.append((os.path.join(extra_dir, name), name))
    data = tzdata_entries(tz_dir) if tz_dir else []
    tmp = out_zip + ".tmp"
    with tempfile.TemporaryDirectory() as scratch, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for full, rel in sources:
            cfile = os.path.join(scratch, rel + "c")
            os.makedirs(os.path.dirname(cfile), exist_ok=True)
            guest = "/usr/local/lib/python3.11/" + rel.replace(os.sep, "/")
            py_compile.compile(full, cfile=cfile, dfile=guest, doraise=True, optimize=0,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            info = zipfile.ZipInfo(rel.replace(os.sep, "/") + "c", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(cfile, "rb") as fh:
                zf.writestr(info, fh.read())
            # The source too: zipimport still loads the .pyc (found first, never checked
            # against it), and its get_source() gives tracebacks and inspect their lines.
            info = zipfile.ZipInfo(rel.replace(os.sep, "/"), date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(full, "rb") as fh:
                zf.writestr(info, fh.read())
        for name, blob in data:
            if name.endswith(".py"):  # a package marker: compile it like the rest
                src = os.path.join(scratch, name)
                os.makedirs(os.path.dirname(src), exist_ok=True)
                with open(src, "wb") as fh:
                    fh.write(blob)
                py_compile.compile(src, cfile=src + "c", dfile="/usr/local/lib/python3.11/" + name, doraise=True,
                                   invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
                name, blob = name + "c", open(src + "c", "rb").read()
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, blob)
    os.replace(tmp, out_zip)
    print("stdlib: %d modules, %d data files, %d bytes -> %s" % (len(sources), len(data), os.path.getsize(out_zip), out_zip))


if __name__ == "__main__":
    main(*sys.argv[1:6])
