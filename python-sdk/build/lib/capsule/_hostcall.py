"""Calls into the Capsule host from inside a sandbox.

The host answers JSON. A refusal arrives as `_capsule_host.HostError` whose message
starts with the Python exception class to raise, e.g. "[PermissionError] capsule.http:
request to "evil.com" denied ..."; it is re-raised as that class, so a denied request
is a real PermissionError.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Type

_TYPES: Dict[str, Type[Exception]] = {
    "PermissionError": PermissionError,
    "TimeoutError": TimeoutError,
    "ValueError": ValueError,
    "ConnectionError": ConnectionError,
    "OSError": OSError,
}
_PREFIX = re.compile(r"^\[(\w+)\] (.*)$", re.DOTALL)


def call(op: str, payload: Any) -> Any:
    return call_json(op, json.dumps(payload), f"the reply to {op}")


def call_json(op: str, payload_json: str, reply_name: str) -> Any:
    """Sends JSON text; the reply is decoded with the boundary's nesting limit (`reply_name` names it in errors)."""
    import _capsule_host  # type: ignore[import-not-found]

    from . import _values

    try:
        raw = _capsule_host.call(op, payload_json)
    except Exception as exc:  # _capsule_host.HostError
        text = str(exc)
        m = _PREFIX.match(text)
        if m and m.group(1) in _TYPES:
            raise _TYPES[m.group(1)](m.group(2)) from None
        raise
    return _values.loads(raw, reply_name) if isinstance(raw, (str, bytes)) else raw
