"""Standard-library modules the sandbox cannot have, and why: the import guard
in _guest.py says so instead of a bare "No module named ...". The pure-Python
rest of the standard library is there (runtime/build/make-stdlib.py)."""

_NO_PROCESSES = "the sandbox has no processes (WASI); call a sub-task instead"
_NO_C = "the sandbox runs no C extensions or foreign code"
_NO_TERMINAL = "the sandbox has no terminal, signals, memory maps, resource limits or file locks"
_NO_DEV = "a development tool that is not in the sandbox's standard library"
UNAVAILABLE_STDLIB = {
    "multiprocessing": _NO_PROCESSES, "_multiprocessing": _NO_PROCESSES,
    "_posixsubprocess": _NO_PROCESSES, "_posixshmem": _NO_PROCESSES,
    "ctypes": _NO_C, "_ctypes": _NO_C,
    "ssl": "the sandbox has no OpenSSL; https goes through the host (urllib.request, http.client, capsule.http)",
    "_ssl": "the sandbox has no OpenSSL; https goes through the host (urllib.request, http.client, capsule.http)",
    "_hashlib": "the sandbox has no OpenSSL; hashlib's built-in algorithms work",
    "curses": _NO_TERMINAL, "_curses": _NO_TERMINAL, "_curses_panel": _NO_TERMINAL,
    "readline": _NO_TERMINAL, "termios": _NO_TERMINAL, "tty": _NO_TERMINAL, "pty": _NO_TERMINAL,
    "mmap": _NO_TERMINAL, "resource": _NO_TERMINAL, "fcntl": _NO_TERMINAL, "syslog": _NO_TERMINAL,
    "tkinter": "the sandbox has no display", "_tkinter": "the sandbox has no display", "turtle": "the sandbox has no display",
    "idlelib": "the sandbox has no display", "turtledemo": "the sandbox has no display",
    "dbm.gnu": "the sandbox has no dbm libraries; dbm.dumb works", "dbm.ndbm": "the sandbox has no dbm libraries; dbm.dumb works",
    "_gdbm": "the sandbox has no dbm libraries; dbm.dumb works", "_dbm": "the sandbox has no dbm libraries; dbm.dumb works",
    "crypt": "the sandbox has no crypt(3)", "_crypt": "the sandbox has no crypt(3)",
    "nis": "the sandbox has no NIS", "spwd": "the sandbox has no shadow passwords",
    "ossaudiodev": "the sandbox has no audio devices",
    "ensurepip": _NO_DEV, "venv": _NO_DEV, "distutils": _NO_DEV, "lib2to3": _NO_DEV,
    "msilib": "a Windows-only module", "_msi": "a Windows-only module", "msvcrt": "a Windows-only module",
    "winreg": "a Windows-only module", "winsound": "a Windows-only module", "_winapi": "a Windows-only module",
    "_overlapped": "a Windows-only module", "nt": "a Windows-only module", "_scproxy": "a macOS-only module",
}
