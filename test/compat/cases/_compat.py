"""The compatibility suite's harness: runs every `case_*` function of a case
file and records what it returned (repr), printed, or raised. The same code
runs natively (python3 -X utf8) and in the sandbox; compat.test.ts compares."""
import contextlib
import io


def _show(value):
    """repr, with sets sorted (their order depends on the hash seed)."""
    if isinstance(value, (set, frozenset)):
        return "%s{%s}" % (type(value).__name__, ", ".join(sorted(_show(v) for v in value)))
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_show(v) for v in value)
        return "[%s]" % inner if isinstance(value, list) else "(%s%s)" % (inner, "," if len(value) == 1 else "")
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s: %s" % (_show(k), _show(v)) for k, v in value.items())
    return repr(value)


def run_cases(namespace):
    results = {}
    for name, fn in list(namespace.items()):
        if not (name.startswith("case_") and callable(fn)):
            continue
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                entry = {"value": _show(fn())}
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: B902  (SystemExit and friends are results too)
            entry = {"error": "%s: %s" % (type(exc).__name__, exc)}
        if printed.getvalue():
            entry["stdout"] = printed.getvalue()
        results[name[len("case_"):]] = entry
    return results
