"""Run Capsule sandboxes from ordinary Python on the host (not inside a sandbox).

    from capsule.host import run, run_sync, run_code, run_code_sync

    envelope = run_sync("tasks.py", task="main", args=[3])
    cell = await run_code("sum(range(10))", compute="LOW")   # cell["result"] == 45

Calls go to one long-lived ``capsule serve --stdio`` process (found through the
``CAPSULE_CLI`` environment variable, e.g. ``"node /path/bin/capsule.js"``, or
``capsule`` on PATH), which keeps a warm sandbox pool: repeated calls do not pay
Node's start-up. Several calls may be in flight at once, from threads or tasks.
If the process dies, the calls in flight fail with ``CapsuleServeError`` and the
next call starts a new one.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import shlex
import shutil
import subprocess
import threading
from concurrent.futures import Future
from typing import Any, Dict, List, Mapping, Optional, Sequence

__all__ = ["run", "run_sync", "run_code", "run_code_sync", "Session", "CapsuleServeError", "close"]


class CapsuleServeError(RuntimeError):
    """The serve process refused a request, or died while it was running."""

    def __init__(self, message: str, kind: str = "internal") -> None:
        super().__init__(message)
        self.kind = kind


def _command() -> List[str]:
    given = os.environ.get("CAPSULE_CLI")
    if given:
        return shlex.split(given)
    found = shutil.which("capsule")
    if not found:
        raise CapsuleServeError(
            "cannot find the Capsule CLI: put `capsule` on PATH (npm install -g, or npx) "
            "or set CAPSULE_CLI, e.g. CAPSULE_CLI='node /path/to/bin/capsule.js'", "usage")
    return [found]


class _Server:
    """One `capsule serve --stdio` process and the calls waiting for its replies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Optional[subprocess.Popen] = None
        self._pending: Dict[int, Future] = {}
        self._ids = itertools.count(1)

    def _ensure(self) -> subprocess.Popen:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        proc = subprocess.Popen(_command() + ["serve", "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, encoding="utf-8", bufsize=1)
        self._proc = proc
        threading.Thread(target=self._read, args=(proc,), name="capsule-serve-reader", daemon=True).start()
        return proc

    def _read(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            fut = self._pending.pop(msg.get("id"), None) if "event" not in msg else None
            if fut is None or fut.done():
                continue
            if "error" in msg:
                err = msg["error"] or {}
                fut.set_exception(CapsuleServeError(str(err.get("message", "the request failed")), str(err.get("type", "internal"))))
            else:
                fut.set_result(msg.get("result"))
        # The process is gone: every call it still owed fails, clearly.
        code = proc.wait()
        with self._lock:
            owed = [(i, f) for i, f in self._pending.items() if getattr(f, "_capsule_proc", None) is proc]
            for i, _ in owed:
                del self._pending[i]
        for _, f in owed:
            if not f.done():
                f.set_exception(CapsuleServeError(f"the capsule serve process ended (exit status {code}) before answering; the call did not complete", "died"))

    def call(self, method: str, params: Mapping[str, Any]) -> Future:
        fut: Future = Future()
        with self._lock:
            proc = self._ensure()
            rid = next(self._ids)
            fut._capsule_proc = proc  # type: ignore[attr-defined]
            self._pending[rid] = fut
            try:
                assert proc.stdin is not None
                proc.stdin.write(json.dumps({"id": rid, "method": method, "params": dict(params)}) + "\n")
                proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                self._pending.pop(rid, None)
                fut.set_exception(CapsuleServeError(f"the capsule serve process is not reachable: {e}", "died"))
        return fut

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


_server = _Server()


def close() -> None:
    """Stops the serve process (the next call starts another)."""
    _server.close()


def _run_params(file: str, task: str, args: Optional[Sequence[Any]], kwargs: Optional[Mapping[str, Any]], project_root: Optional[str]) -> Dict[str, Any]:
    params: Dict[str, Any] = {"file": os.path.abspath(file), "task": task, "args": list(args or []), "kwargs": dict(kwargs or {})}
    if project_root is not None:
        params["projectRoot"] = os.path.abspath(project_root)
    return params


def _code_params(code: str, compute: Optional[str], ram: Optional[str], timeout: Optional[str], max_retries: Optional[int],
                 allowed_hosts: Optional[Sequence[str]], env: Optional[Mapping[str, str]]) -> Dict[str, Any]:
    if not isinstance(code, str):
        raise TypeError("run_code takes the code as a string")
    params: Dict[str, Any] = {"code": code}
    for key, value in (("compute", compute), ("ram", ram), ("timeout", timeout), ("maxRetries", max_retries)):
        if value is not None:
            params[key] = value
    if allowed_hosts:
        params["allowedHosts"] = list(allowed_hosts)
    if env:
        params["env"] = dict(env)
    return params


def run_sync(file: str, task: str = "main", args: Optional[Sequence[Any]] = None, kwargs: Optional[Mapping[str, Any]] = None,
             project_root: Optional[str] = None) -> Dict[str, Any]:
    """Runs a task of `file` in the sandbox; returns the envelope (success, state, result, error, execution)."""
    return _server.call("run", _run_params(file, task, args, kwargs, project_root)).result()


async def run(file: str, task: str = "main", args: Optional[Sequence[Any]] = None, kwargs: Optional[Mapping[str, Any]] = None,
              project_root: Optional[str] = None) -> Dict[str, Any]:
    """`run_sync`, awaitable: many may be in flight at once."""
    return await asyncio.wrap_future(_server.call("run", _run_params(file, task, args, kwargs, project_root)))


def run_code_sync(code: str, *, compute: Optional[str] = None, ram: Optional[str] = None, timeout: Optional[str] = None,
                  max_retries: Optional[int] = None, allowed_hosts: Optional[Sequence[str]] = None,
                  env: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """Runs `code` as a task's body, with no grants but those given; the result is its last expression's value.
    The envelope also has the code's "stdout" and "stderr"."""
    return _server.call("runCode", _code_params(code, compute, ram, timeout, max_retries, allowed_hosts, env)).result()


async def run_code(code: str, *, compute: Optional[str] = None, ram: Optional[str] = None, timeout: Optional[str] = None,
                   max_retries: Optional[int] = None, allowed_hosts: Optional[Sequence[str]] = None,
                   env: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """`run_code_sync`, awaitable."""
    return await asyncio.wrap_future(_server.call("runCode", _code_params(code, compute, ram, timeout, max_retries, allowed_hosts, env)))


class Session:
    """One sandbox whose interpreter state persists across calls (variables, imports),
    with a writable /scratch removed at the end. Limits: `ram` and `compute` cover the
    whole session; each call has `call_timeout` seconds (default 30), past which the
    session is stopped.

        async with Session(compute="HIGH") as s:
            await s.run("x = 41")
            (await s.run("x + 1"))["result"]   # 42
    """

    def __init__(self, *, compute: Optional[str] = None, ram: Optional[str] = None, timeout: Optional[str] = None,
                 allowed_hosts: Optional[Sequence[str]] = None, call_timeout: Optional[float] = None) -> None:
        self._params: Dict[str, Any] = {}
        for key, value in (("compute", compute), ("ram", ram), ("timeout", timeout)):
            if value is not None:
                self._params[key] = value
        if allowed_hosts:
            self._params["allowedHosts"] = list(allowed_hosts)
        if call_timeout is not None:
            self._params["callTimeoutMs"] = int(call_timeout * 1000)
        self._id: Optional[str] = None

    def open_sync(self) -> "Session":
        self._id = _server.call("sessionOpen", self._params).result()["session"]
        return self

    def run_sync(self, code: str) -> Dict[str, Any]:
        """Runs one cell: {"ok", "result" (its last expression), "error", "traceback", "stdout", "stderr"}."""
        if self._id is None:
            raise CapsuleServeError("the session is not open: use it with `with`/`async with`, or call open_sync()", "usage")
        return _server.call("sessionRun", {"session": self._id, "code": code}).result()

    def close_sync(self) -> None:
        if self._id is not None:
            sid, self._id = self._id, None
            _server.call("sessionClose", {"session": sid}).result()

    async def run(self, code: str) -> Dict[str, Any]:
        if self._id is None:
            raise CapsuleServeError("the session is not open: use it with `async with`", "usage")
        return await asyncio.wrap_future(_server.call("sessionRun", {"session": self._id, "code": code}))

    async def __aenter__(self) -> "Session":
        self._id = (await asyncio.wrap_future(_server.call("sessionOpen", self._params)))["session"]
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._id is not None:
            sid, self._id = self._id, None
            await asyncio.wrap_future(_server.call("sessionClose", {"session": sid}))

    def __enter__(self) -> "Session":
        return self.open_sync()

    def __exit__(self, *exc: Any) -> None:
        self.close_sync()
