"""Values across the sandbox boundary, as JSON text, from the guest's side.

Python's json already keeps ints exact and floats floats (3.0 stays 3.0); what
is added here: a value JSON cannot carry is an error naming its type and where
it was, and nesting is capped at MAX_DEPTH levels of lists and dicts (the
host's limit, runtime/src/values/exact-json.ts) without overflowing the stack,
whatever recursion limit the task set.
"""

import sys

#: The deepest nesting of lists and dicts a value may have (same as the host's MAX_VALUE_DEPTH).
MAX_DEPTH = 500
# json's C encoder and decoder recurse once per level; the few frames json's
# Python layer adds, and a margin, on top of MAX_DEPTH (the host checks exactly).
_ROOM = MAX_DEPTH + 50


def too_deep(what):
    return ValueError(
        "%s is nested too deeply: more than %d levels of lists and dicts "
        "(values crossing the sandbox boundary may nest at most %d levels)" % (what, MAX_DEPTH, MAX_DEPTH))


def _stack_depth():
    depth = 0
    frame = sys._getframe(1)
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _with_room(fn, arg):
    """fn(arg) with the recursion limit at the current depth plus _ROOM: json
    then fails at about MAX_DEPTH levels (a RecursionError) rather than
    recursing as deep as a raised limit would let it."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(_stack_depth() + _ROOM)
    try:
        return fn(arg)
    finally:
        sys.setrecursionlimit(old)


def dumps(value, what, root="value"):
    """JSON text of `value`; `what` names it in errors ("the task's return value"), `root` starts the path to a bad part."""
    import json
    try:
        return _with_room(lambda v: json.dumps(v, allow_nan=False), value)
    except RecursionError:
        raise too_deep(what) from None
    except (TypeError, ValueError):
        where, problem = find_unsendable(value, root)
        raise TypeError("%s cannot be sent as JSON: %s is %s" % (what, where, problem)) from None


def loads(text, what):
    import json
    try:
        return _with_room(json.loads, text)
    except RecursionError:
        raise too_deep(what) from None


_SCALARS = (str, int, bool, type(None))


def _describe(value):
    if isinstance(value, float):
        return "a float %r, which JSON cannot carry" % value
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else "%s.%s" % (kind.__module__, kind.__qualname__)
    hint = {"tuple": "", "set": " (make it a list)", "frozenset": " (make it a list)", "bytes": " (decode it, or base64 it)",
            "bytearray": " (decode it, or base64 it)"}.get(name, "")
    return "%s %s, which JSON cannot carry%s" % ("an" if name[:1] in "aeiou" else "a", name, hint)


def find_unsendable(value, root="value"):
    """(where, what) of the first part of `value` that json.dumps refuses:
    walked without recursion, in json's order."""
    stack = [(value, root)]
    on_path = set()
    while stack:
        item, where = stack.pop()
        if item is _LEAVE:
            on_path.discard(where)
            continue
        if isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                return where, _describe(item)
            continue
        if isinstance(item, _SCALARS):
            continue
        if isinstance(item, (list, tuple, dict)):
            if id(item) in on_path:
                return where, "a reference to a list or dict that contains it (a cycle), which JSON cannot carry"
            on_path.add(id(item))
            stack.append((_LEAVE, id(item)))
            if isinstance(item, dict):
                children = []
                for key, child in item.items():
                    if not isinstance(key, (str, int, float, bool, type(None))):
                        return "%s key %r" % (where, key), _describe(key)
                    children.append((child, "%s[%r]" % (where, key)))
            else:
                children = [(child, "%s[%d]" % (where, i)) for i, child in enumerate(item)]
            stack.extend(reversed(children))
            continue
        return where, _describe(item)
    return root, "not valid JSON"


_LEAVE = object()
