"""Validation of @task arguments at decoration time.

The same rules as the TypeScript schema (runtime/src/config/schema.ts) that the
CLI, the engine and the language server use; test/sdk/ runs one table of values
through both and checks that they agree. Errors name the parameter, the value and
what is accepted.
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List, Optional

# The bounds, as runtime/src/config/limits.ts defines them (the cross-check test compares).
FUEL: Dict[str, int] = {"LOW": 100_000_000, "MEDIUM": 2_000_000_000, "HIGH": 50_000_000_000}
MIN_RAM_BYTES = 16 * 1024**2
MAX_RAM_BYTES = 4 * 1024**3
MAX_TIMEOUT_MS = 2**31 - 1
MAX_SAFE_INTEGER = 2**53 - 1
TASK_PARAMS = ("name", "compute", "ram", "timeout", "max_retries", "allowed_files", "allowed_hosts", "env_variables", "durable")

_COMPUTE_HELP = 'use "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"'
_RAM_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
_RAM_HELP = 'use B, KB, MB or GB, e.g. "512MB"'
_TIMEOUT_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}
_TIMEOUT_HELP = 'use ms, s, m or h, e.g. "30s", "500ms" or "1m30s"'
_MODES = {"read-only": "read-only", "read-write": "read-write", "ro": "read-only", "rw": "read-write"}
#: The spaces a value may carry around it (or between number and unit): ASCII only, as the
#: host's schema reads them (runtime/src/config/spaces.ts); a bare strip() would also take
#: \x1c-\x1f, \x85 and NBSP.
_SPACES = " \t\n\r\f\v"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", re.IGNORECASE)
_EXAMPLE = {"allowed_files": '"data"', "allowed_hosts": '"api.example.com"', "env_variables": '"API_KEY"'}


class TaskConfigError(ValueError):
    """A @task argument is invalid; the message says which and what is accepted."""


class FileGrant:
    """An allowed_files entry: a directory relative to the project root, and its mode."""

    __slots__ = ("path", "mode")

    def __init__(self, path: str, mode: str) -> None:
        self.path = path
        self.mode = mode  # "read-only" | "read-write"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileGrant) and (self.path, self.mode) == (other.path, other.mode)

    def __repr__(self) -> str:
        return f"FileGrant({self.path!r}, {self.mode!r})"


class TaskOptions:
    """A task's validated configuration (before capsule.toml defaults, which the host applies).

    A plain class rather than a dataclass: building a dataclass is one of the costliest
    steps of an import, and the SDK may be imported at the start of a task."""

    __slots__ = ("name", "compute", "fuel", "ram_bytes", "timeout_ms", "max_retries", "allowed_files", "allowed_hosts", "env_variables", "durable")

    def __init__(
        self,
        name: str,
        compute: str = "MEDIUM",  # LOW | MEDIUM | HIGH | CUSTOM
        fuel: int = FUEL["MEDIUM"],
        ram_bytes: int = MAX_RAM_BYTES,
        timeout_ms: Optional[int] = None,
        max_retries: int = 0,
        allowed_files: Optional[List[FileGrant]] = None,
        allowed_hosts: Optional[List[str]] = None,
        env_variables: Optional[List[str]] = None,
        durable: Optional[bool] = None,
    ) -> None:
        self.name = name
        self.compute = compute
        self.fuel = fuel
        self.ram_bytes = ram_bytes
        self.timeout_ms = timeout_ms
        self.max_retries = max_retries
        self.allowed_files = list(allowed_files or [])
        self.allowed_hosts = list(allowed_hosts or [])
        self.env_variables = list(env_variables or [])
        self.durable = durable  # None: not written (capsule.toml's [workflow] durable applies)

    def __repr__(self) -> str:
        return f"TaskOptions({self.to_json()!r})"

    def to_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "name": self.name,
            "compute": self.compute,
            "fuel": self.fuel,
            "memoryLimitBytes": self.ram_bytes,
            "timeoutMs": self.timeout_ms,
            "maxRetries": self.max_retries,
            "allowedFiles": [{"path": g.path, "mode": g.mode} for g in self.allowed_files],
            "allowedHosts": list(self.allowed_hosts),
            "envVariables": list(self.env_variables),
        }
        if self.durable is not None:
            out["durable"] = self.durable
        return out


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float))) and not isinstance(v, bool)


def _js_num(v: Any) -> str:
    """A number as JavaScript prints it (1.0 -> 1), so messages match the host's."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def parse_compute(v: str) -> tuple:
    s = v.strip(_SPACES)
    upper = s.upper()
    if upper in FUEL:
        return upper, FUEL[upper]
    if re.fullmatch(r"\d+", s, re.ASCII):
        fuel = int(s)
        if fuel == 0:
            raise TaskConfigError(f'compute "{v}" is zero fuel: the task could not run a single instruction; {_COMPUTE_HELP}')
        if fuel > MAX_SAFE_INTEGER:
            raise TaskConfigError(f'compute "{v}" is too large; the most is {MAX_SAFE_INTEGER} fuel units')
        return "CUSTOM", fuel
    raise TaskConfigError(f'compute "{v}" is not a level; {_COMPUTE_HELP}')


def parse_ram(v: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", v, re.ASCII)
    if not m:
        raise TaskConfigError(f'ram "{v}": expected a number and a unit; {_RAM_HELP}')
    num, unit_raw = m.group(1), m.group(2)
    unit = unit_raw.upper()
    factor = 1 if unit == "" else _RAM_UNITS.get(unit)
    if factor is None:
        raise TaskConfigError(f'ram "{v}": unknown unit "{unit_raw}"; {_RAM_HELP}')
    b = math.floor(float(num) * factor)
    if b == 0:
        raise TaskConfigError(f'ram "{v}" is zero: the task could not start; {_RAM_HELP}')
    if b < MIN_RAM_BYTES:
        raise TaskConfigError(f'ram "{v}" is below the 16MB the Python runtime needs to start')
    if b > MAX_RAM_BYTES:
        raise TaskConfigError(f'ram "{v}" is more than the maximum of 4 GB (a wasm32 sandbox cannot address more)')
    return b


def parse_timeout(v: str) -> int:
    s = v.strip(_SPACES)
    if re.fullmatch(r"\d+(\.\d+)?", s, re.ASCII):
        raise TaskConfigError(f'timeout "{v}" has no unit; {_TIMEOUT_HELP}')
    part = re.compile(r"(\d+(?:\.\d+)?)\s*([A-Za-z]+)", re.ASCII)
    ms = 0.0
    i = 0
    while i < len(s):
        m = part.match(s, i)
        if not m:
            raise TaskConfigError(f'timeout "{v}": expected a duration; {_TIMEOUT_HELP}')
        factor = _TIMEOUT_UNITS.get(m.group(2).lower())
        if factor is None:
            raise TaskConfigError(f'timeout "{v}": unknown unit "{m.group(2)}"; {_TIMEOUT_HELP}')
        ms += float(m.group(1)) * factor
        i = m.end()
        while i < len(s) and s[i] == " ":
            i += 1
    # JavaScript's Math.round: halves go up.
    total = math.floor(ms + 0.5)
    if total == 0:
        raise TaskConfigError(f'timeout "{v}" is zero: the task would time out before it starts; {_TIMEOUT_HELP}')
    if total > MAX_TIMEOUT_MS:
        raise TaskConfigError(f'timeout "{v}" is longer than the runtime can time (2^31-1 ms, about 24.8 days)')
    return total


def _ip_literal(text: str) -> bool:
    """An IP address written in full ("10.0.0.1", "::1", "[::1]"): it matches only itself."""
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if "%" in bare or not re.fullmatch(r"[0-9A-Fa-f:.]+", bare):
        return False
    import ipaddress  # only for entries that look like addresses
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        return False
    return True


def check_host_entry(entry: str) -> None:
    if entry == "*":
        return
    if entry.strip(_SPACES) == "":
        raise TaskConfigError('allowed_hosts entry is empty; write a host name such as "api.example.com", or "*" for all hosts')
    if entry != entry.strip(_SPACES):
        raise TaskConfigError(f'allowed_hosts entry "{entry}" has surrounding spaces')
    if _ip_literal(entry):
        return
    rest = entry
    extras: List[str] = []
    m = re.match(r"([a-z][a-z0-9+.-]*)://", rest, re.IGNORECASE)
    if m:
        extras.append(f'a scheme ("{m.group(1)}://")')
        rest = rest[m.end():]
    path = ""
    cut = re.search(r"[/?#]", rest)
    if cut:
        path, rest = rest[cut.start():], rest[: cut.start()]
    at = rest.rfind("@")
    if at >= 0:
        extras.append(f'user info ("{rest[:at]}@")')
        rest = rest[at + 1:]
    port = re.search(r":(\d*)$", rest)
    if port:
        extras.append(f'a port (":{port.group(1)}")')
        rest = rest[: port.start()]
    if path:
        extras.append(f'a path ("{path}")')
    if extras:
        said = extras[0] if len(extras) == 1 else ", ".join(extras[:-1]) + " and " + extras[-1]
        raise TaskConfigError(f'allowed_hosts entry "{entry}" has {said}, so it never matches; hosts are matched by name alone, write "{rest.lower()}"')
    # "*.com." is "*.com": a trailing dot is the same name, and must not pass as a label.
    labels = (entry[:-1] if len(entry) > 1 and entry.endswith(".") else entry).split(".")
    wildcard_help = 'a wildcard is "*" alone or a whole first label, as in "*.example.com"'
    for i, label in enumerate(labels):
        if "*" in label:
            if label != "*" or i != 0:
                raise TaskConfigError(f'allowed_hosts entry "{entry}" has a bad wildcard; {wildcard_help}')
            if len(labels) < 3:
                raise TaskConfigError(f'allowed_hosts entry "{entry}" is too broad a wildcard; {wildcard_help} (use "*" to allow every host)')
            continue
        if not _LABEL.match(label):
            raise TaskConfigError(f'allowed_hosts entry "{entry}" is not a valid host name: labels are letters, digits and "-", separated by "."')
    if re.fullmatch(r"\d+", labels[-1], re.ASCII):
        raise TaskConfigError(f'allowed_hosts entry "{entry}" looks like part of an IP address; write the whole address, e.g. "10.0.0.1" or "::1"')


def _check_grant_path(path: str) -> None:
    # Existence and symlinks are checked by the host, against the real project root.
    if path.strip(_SPACES) == "":
        raise TaskConfigError('allowed_files entry is empty; write a directory relative to the project root, e.g. "data"')
    if path.startswith("/") or re.match(r"^[a-zA-Z]:[\\/]", path):
        raise TaskConfigError(f'allowed_files entry "{path}" is absolute; write a directory relative to the project root')
    import posixpath
    if posixpath.normpath(path.replace("\\", "/")) == ".":
        raise TaskConfigError(f'allowed_files entry "{path}" is the project root itself, which cannot be granted; grant a folder inside it, e.g. "data"')


def _grant(item: Any) -> FileGrant:
    mode = "read-write"
    path: Any = item
    if isinstance(item, dict):
        path = None
        has_path = False
        for k, value in item.items():
            if k == "path":
                path, has_path = value, True
            elif k == "mode":
                if not isinstance(value, str):
                    raise TaskConfigError('allowed_files mode must be a string: "read-only", "read-write", "ro" or "rw"')
                if value not in _MODES:
                    raise TaskConfigError(f'allowed_files mode "{value}" is not one of "read-only", "read-write", "ro" or "rw"')
                mode = _MODES[value]
            else:
                raise TaskConfigError(f'allowed_files entry has an unknown key "{k}"; use {{"path": "data", "mode": "read-only"}}')
        if not has_path:
            raise TaskConfigError('allowed_files entry has no "path"; use {"path": "data", "mode": "read-only"}')
    if not isinstance(path, str):
        raise TaskConfigError('allowed_files entries are directory paths, or {"path": "data", "mode": "read-only"}')
    _check_grant_path(path)
    return FileGrant(path, mode)


def _items(param: str, v: Any) -> Optional[list]:
    if v is None:
        return None
    if not isinstance(v, (list, tuple)):
        raise TaskConfigError(f"{param} must be a list, e.g. {param}=[{_EXAMPLE[param]}]")
    return list(v)


def resolve_options(function_name: str, **given: Any) -> TaskOptions:
    """Validates @task arguments; raises TaskConfigError on the first bad one.

    None means "not given" for every parameter (the default applies), as in the
    editor and the CLI."""
    given = {k: v for k, v in given.items() if v is not None}
    out: Dict[str, Any] = {"name": function_name}
    for param in given:
        if param not in TASK_PARAMS:
            raise TaskConfigError(f'unknown parameter "{param}"; @task takes {", ".join(TASK_PARAMS)}')

    if "name" in given:
        name = given["name"]
        if not isinstance(name, str):
            raise TaskConfigError('name must be a string, e.g. name="fetch_data"')
        if name.strip(_SPACES) == "":
            raise TaskConfigError("name is empty; give the task a name or leave name out to use the function name")
        out["name"] = name

    if "compute" in given:
        v = given["compute"]
        if _is_int(v) and v > 0:
            raise TaskConfigError(f'compute must be a string; write "{v}" for {v} fuel units')
        if not isinstance(v, str):
            raise TaskConfigError('compute must be a string: "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"')
        out["compute"], out["fuel"] = parse_compute(v)

    if "ram" in given:
        v = given["ram"]
        if _is_int(v) and v > 0:
            raise TaskConfigError(f'ram must be a string with a unit, e.g. "512MB"; {v} bytes is "{v}B"')
        if not isinstance(v, str):
            raise TaskConfigError('ram must be a string with a unit, e.g. "512MB"')
        out["ram_bytes"] = parse_ram(v)

    if "timeout" in given:
        v = given["timeout"]
        if _is_number(v) and v > 0:
            raise TaskConfigError(f'timeout must be a string with a unit; write "{_js_num(v)}s" for {_js_num(v)} seconds')
        if not isinstance(v, str):
            raise TaskConfigError('timeout must be a string with a unit, e.g. "30s", "500ms" or "1m30s"')
        out["timeout_ms"] = parse_timeout(v)

    if "max_retries" in given:
        v = given["max_retries"]
        if isinstance(v, str) and re.fullmatch(r"\d+", v.strip(_SPACES), re.ASCII):
            raise TaskConfigError(f"max_retries must be an integer, not a string; write {v.strip(_SPACES)}")
        if isinstance(v, float):
            if v.is_integer() and v >= 0:
                raise TaskConfigError(f"max_retries {v} is a float; write the integer {int(v)}")
            raise TaskConfigError(f"max_retries {v} is not a whole number; use an integer of 0 or more, e.g. max_retries=3")
        if not _is_int(v):
            raise TaskConfigError("max_retries must be an integer of 0 or more, e.g. max_retries=3")
        if v < 0:
            raise TaskConfigError(f"max_retries {v} is negative; use 0 (no retry) or more")
        if v > MAX_SAFE_INTEGER:
            raise TaskConfigError(f"max_retries {v} is too large; the most is {MAX_SAFE_INTEGER}")
        out["max_retries"] = v

    files = _items("allowed_files", given.get("allowed_files"))
    if files is not None:
        out["allowed_files"] = [_grant(i) for i in files]

    hosts = _items("allowed_hosts", given.get("allowed_hosts"))
    if hosts is not None:
        for h in hosts:
            if not isinstance(h, str):
                raise TaskConfigError('allowed_hosts entries are strings, e.g. "api.example.com"')
            check_host_entry(h)
        out["allowed_hosts"] = list(hosts)

    env = _items("env_variables", given.get("env_variables"))
    if env is not None:
        for n in env:
            if not isinstance(n, str):
                raise TaskConfigError('env_variables entries are strings naming host variables, e.g. "API_KEY"')
            if not _ENV_NAME.match(n):
                raise TaskConfigError(f'env_variables entry "{n}" is not a valid variable name: letters, digits and "_", not starting with a digit')
        out["env_variables"] = list(env)

    if "durable" in given:
        d = given["durable"]
        if _is_int(d) and d in (0, 1):
            raise TaskConfigError(f"durable must be True or False, not {d}; write {bool(d)}")
        if isinstance(d, str) and d.strip(_SPACES).lower() in ("true", "false"):
            raise TaskConfigError(f'durable must be True or False, not the string "{d}"; write {d.strip(_SPACES).lower() == "true"}')
        if not isinstance(d, bool):
            raise TaskConfigError("durable must be True or False (True: when the run is interrupted, the next run of this task with the same arguments resumes it from its journal)")
        out["durable"] = d

    return TaskOptions(**out)
