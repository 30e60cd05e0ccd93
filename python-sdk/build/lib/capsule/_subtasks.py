"""Sub-tasks from inside a running task.

A sync call blocks on `task.spawn` until the sub-task ends. An `async def` task's
call submits the sub-task (`task.submit` answers at once) and awaits a future; one
poller per event loop collects the ended ones with `task.wait`, so sub-tasks
awaited together with asyncio.gather run in parallel, each in its own sandbox.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from . import _hostcall, _values

if TYPE_CHECKING:
    import asyncio

# Longest the poller blocks in the host while it has nothing to hand back: other
# coroutines of the task (timers, sleeps) wait at most this long.
_WAIT_MS = 50


class TaskFailed(Exception):
    """A sub-task failed; `error_type` is one of task_error, timeout, out_of_fuel,
    out_of_memory, permission_denied, wasm_error. `traceback` is the sub-task's
    Python traceback (its own frames) and `frames` the same as a list of
    {file, line, name, source?}, when it failed with an exception."""

    def __init__(self, task_name: str, error_type: str, message: str, traceback: Optional[str] = None,
                 frames: Optional[List[Dict[str, Any]]] = None) -> None:
        super().__init__(f"sub-task {task_name!r} failed ({error_type}): {message}")
        self.task_name = task_name
        self.error_type = error_type
        self.message = message
        self.traceback = traceback
        self.frames = frames or []


def _payload(name: str, func: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    """The spawn request as JSON text; an argument JSON cannot carry is named, with where it was."""
    code = getattr(func, "__code__", None)
    what = f"an argument of sub-task {name!r}"
    args_json = _values.dumps(list(args), what, root="args")
    kwargs_json = _values.dumps(kwargs, what, root="kwargs")
    head = json.dumps({"task": name, "file": code.co_filename if code else ""})
    return f'{head[:-1]}, "args": {args_json}, "kwargs": {kwargs_json}}}'


def _unwrap(name: str, reply: Any) -> Any:
    if not isinstance(reply, dict):
        raise RuntimeError(f"sub-task {name!r}: the host sent an unexpected reply {reply!r}")
    if reply.get("ok"):
        return reply.get("result")
    err = reply.get("error") or {}
    raise TaskFailed(name, str(err.get("error_type", "task_error")), str(err.get("message", "")),
                     err.get("traceback"), err.get("frames"))


def _call(op: str, name: str, func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    return _hostcall.call_json(op, _payload(name, func, args, kwargs), f"the result of sub-task {name!r}")


def spawn(name: str, func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    return _unwrap(name, _call("task.spawn", name, func, args, kwargs))


_pending: Dict[str, "asyncio.Future[Any]"] = {}
_poller: Optional["asyncio.Task[None]"] = None


async def spawn_async(name: str, func: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    import asyncio

    global _poller
    ticket = _call("task.submit", name, func, args, kwargs)["id"]
    loop = asyncio.get_running_loop()
    fut: "asyncio.Future[Any]" = loop.create_future()
    _pending[ticket] = fut
    if _poller is None or _poller.done() or _poller.get_loop() is not loop:
        _poller = loop.create_task(_poll())
    return _unwrap(name, await fut)


async def _poll() -> None:
    import asyncio

    while _pending:
        # Let every coroutine that is ready submit its sub-task before blocking.
        await asyncio.sleep(0)
        live = [t for t, f in _pending.items() if not f.cancelled()]
        for t in [t for t in _pending if t not in live]:
            del _pending[t]
        if not live:
            return
        answer = _hostcall.call("task.wait", {"ids": live, "timeoutMs": _WAIT_MS})
        for item in answer.get("done", []):
            fut = _pending.pop(item["id"], None)
            if fut is not None and not fut.done():
                fut.set_result(item["reply"])
