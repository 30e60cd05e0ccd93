"""Capsule: run Python tasks in WebAssembly sandboxes with fuel, memory and time limits.

    from capsule import task

    @task(name="main", compute="LOW", ram="64MB")
    def main() -> str:
        return "Hello from Capsule!"

`@task` validates its arguments when the function is decorated (a bad value raises
`TaskConfigError` naming the parameter and what is accepted) and registers the
function in `capsule._registry.TASKS`, where the sandbox's driver finds it.

Outside a sandbox (`python3 hello.py`) a decorated function just runs. Inside a
running task, calling another decorated function runs it as a sub-task in its
own fresh sandbox, with its own limits and rights; its return value comes back,
or `TaskFailed` carrying the sub-task's error_type and message.
"""

from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar, Union, overload

from . import _subtasks
from ._config import FileGrant, TaskConfigError, TaskOptions, resolve_options
from ._registry import TASKS, TaskEntry
from ._subtasks import TaskFailed

__all__ = ["task", "TaskConfigError", "TaskFailed", "TaskOptions", "FileGrant", "in_sandbox"]
__version__ = "0.1.0"

F = TypeVar("F", bound=Callable[..., Any])

#: An allowed_files entry: a directory, or {"path": "data", "mode": "read-only" | "read-write" | "ro" | "rw"}.
FileEntry = Union[str, Dict[str, str]]


def in_sandbox() -> bool:
    """True inside a Capsule sandbox (the host's `_capsule_host` module exists there only)."""
    try:
        import _capsule_host  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def _is_async(func: Callable[..., Any]) -> bool:
    # inspect.iscoroutinefunction without importing inspect (the SDK loads at every task start).
    code = getattr(func, "__code__", None)
    return code is not None and bool(code.co_flags & 0x80)  # CO_COROUTINE


def _wrap(func: F, name: str) -> F:
    if _is_async(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            if in_sandbox():
                return await _subtasks.spawn_async(name, func, args, kwargs)
            return await func(*args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if in_sandbox():
            return _subtasks.spawn(name, func, args, kwargs)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _refuse(fn: Callable[..., Any], error: TaskConfigError) -> Callable[..., Any]:
    """A task whose decorator is invalid: calling it raises the decorator's error."""

    @functools.wraps(fn)
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise error

    return refused


@overload
def task(func: F) -> F: ...
@overload
def task(
    *,
    name: Optional[str] = None,
    compute: Optional[str] = None,
    ram: Optional[str] = None,
    timeout: Optional[str] = None,
    max_retries: Optional[int] = None,
    allowed_files: Optional[List[FileEntry]] = None,
    allowed_hosts: Optional[List[str]] = None,
    env_variables: Optional[List[str]] = None,
    durable: Optional[bool] = None,
) -> Callable[[F], F]: ...


def task(
    func: Optional[F] = None,
    *,
    name: Optional[str] = None,
    compute: Optional[str] = None,
    ram: Optional[str] = None,
    timeout: Optional[str] = None,
    max_retries: Optional[int] = None,
    allowed_files: Optional[List[FileEntry]] = None,
    allowed_hosts: Optional[List[str]] = None,
    env_variables: Optional[List[str]] = None,
    durable: Optional[bool] = None,
) -> Any:
    """Declares a Capsule task.

    name: the task's name (default: the function's name).
    compute: "LOW" (100M fuel), "MEDIUM" (2B, the default), "HIGH" (50B), or a digit string of fuel units.
    ram: memory limit, e.g. "64MB", "2GB" (B/KB/MB/GB, powers of 1024).
    timeout: wall-clock limit, e.g. "500ms", "30s", "5m", "1m30s".
    max_retries: extra attempts after a failure (task_error, wasm_error and timeout are retried).
    allowed_files: directories relative to the project root the task may use (read-write, or {"path", "mode"}).
    allowed_hosts: hosts the task may reach over HTTP ("*", "example.com", "*.example.com").
    env_variables: host environment variables (or .env entries) visible to the task.
    durable: True: when a run of this task (as the root) is interrupted, the next run with the
        same arguments resumes it from its journal (overrides capsule.toml's [workflow] durable).
    """
    given: Dict[str, Any] = {
        k: v
        for k, v in (
            ("name", name),
            ("compute", compute),
            ("ram", ram),
            ("timeout", timeout),
            ("max_retries", max_retries),
            ("allowed_files", allowed_files),
            ("allowed_hosts", allowed_hosts),
            ("env_variables", env_variables),
            ("durable", durable),
        )
        if v is not None
    }

    def decorate(fn: F) -> F:
        if not callable(fn):
            raise TypeError(f"@task decorates a function, not {type(fn).__name__}")
        try:
            options = resolve_options(fn.__name__, **given)
        except TaskConfigError as exc:
            error = TaskConfigError(f"@task on {fn.__qualname__}: {exc}")
            if not in_sandbox():
                raise error from None
            # In a sandbox the host has checked the task being run and those it can call;
            # another task's bad decorator must not stop this module from loading. It is
            # registered refused, so running it reports this error, not "no task named".
            key = given.get("name") if isinstance(given.get("name"), str) else fn.__name__
            TASKS.setdefault(key, TaskEntry(func=fn, name=key, options=dict(given), refused=error))
            return _refuse(fn, error)  # type: ignore[return-value]
        # The registry keeps the decorator's own keyword arguments (its contract); the
        # validated, normalised options hang on the wrapper as __capsule_task__.
        TASKS[options.name] = TaskEntry(func=fn, name=options.name, options=dict(given), resolved=options)
        wrapped = _wrap(fn, options.name)
        setattr(wrapped, "__capsule_task__", options)
        return wrapped

    if func is not None:
        if given:
            raise TypeError("use @task or @task(...) with keyword arguments, not both")
        return decorate(func)
    return decorate


# The host API (capsule.host: run a task file or code from ordinary Python through
# `capsule serve --stdio`), loaded only when asked for: a task in a sandbox never loads it.
_HOST_NAMES = ("run", "run_sync", "run_code", "run_code_sync", "CapsuleServeError")


def __getattr__(name: str) -> Any:
    if name in _HOST_NAMES:
        from . import host

        return getattr(host, name)
    raise AttributeError(f"module 'capsule' has no attribute {name!r}")
