"""Stage 5: the trimmed standard library as one zip of .pyc files.

Run with the build Python (/usr/bin/python3.11, the same 3.11 as the wasm
build, so the bytecode matches). Usage: make-stdlib.py LIB_DIR SYSCONFIG_DIR OUT_ZIP
Only .pyc go in (no sources): zipimport loads `name.pyc` entries directly.
"""
import importlib.util
import os
import py_compile
import sys
import tempfile
import zipfile

# Packages and modules that cannot work under WASI or only serve development.
DROP_DIRS = {
    "test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3",
    "distutils", "venv", "pydoc_data", "ctypes", "sqlite3", "curses", "dbm",
    "msilib", "multiprocessing", "__pycache__", "site-packages", "unittest/test",
}
DROP_FILES = {"turtle.py", "pydoc.py", "antigravity.py", "this.py", "_pydecimal.py",
              "doctest.py", "tabnanny.py", "_osx_support.py", "_aix_support.py",
              "_bootsubprocess.py", "imaplib.py", "nntplib.py", "smtplib.py",
              "poplib.py", "ftplib.py", "telnetlib.py", "webbrowser.py", "cgitb.py"}


def wanted(rel):
    parts = rel.split(os.sep)
    if any(p in DROP_DIRS for p in parts[:-1]):
        return False
    if "/".join(parts[:2]) in DROP_DIRS:
        return False
    return rel.endswith(".py") and parts[-1] not in DROP_FILES


def main(lib_dir, sysconfig_dir, out_zip):
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
    os.replace(tmp, out_zip)
    print("stdlib: %d modules, %d bytes -> %s" % (len(sources), os.path.getsize(out_zip), out_zip))


if __name__ == "__main__":
    main(*sys.argv[1:4])
