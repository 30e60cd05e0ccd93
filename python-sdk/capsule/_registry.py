"""The task registry: the contract between the public SDK (`capsule.task`)
and the in-sandbox driver (`capsule._guest`). Keep it tiny and stable."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional


@dataclass
class TaskEntry:
    func: Callable[..., Any]          # the original, undecorated function
    name: str                         # registry key (decorator `name=` or the function name)
    options: Dict[str, Any] = field(default_factory=dict)   # the decorator's keyword arguments
    refused: Optional[Exception] = None  # in a sandbox: the decorator's error, raised when the task is run
    resolved: Optional[Any] = None       # the validated options (capsule._config.TaskOptions)


TASKS: Dict[str, TaskEntry] = {}
