"""The decorator as the file ran, against the decorator as the host read it.

The host sets a task's limits and rights from its decorator as read in the source,
before the file runs (spec["declared"], without capsule.toml's defaults). If the
arguments the decorator really got resolve to anything else (a name bound again,
a list or dict changed in place), or the SDK refuses them, the task is not called:
it would run with limits it was not given. A configuration error at the decorator.
"""

# A config field (TaskOptions.to_json) and the @task parameter that sets it.
_PARAM_OF = {"name": "name", "compute": "compute", "fuel": "compute", "memoryLimitBytes": "ram",
             "timeoutMs": "timeout", "maxRetries": "max_retries", "allowedFiles": "allowed_files",
             "allowedHosts": "allowed_hosts", "envVariables": "env_variables", "durable": "durable"}


def check(entry, spec):
    """Raises DecoratorError when the task must not be called (see above)."""
    from capsule import _outcome
    from capsule._config import TaskConfigError, resolve_options
    code = getattr(entry.func, "__code__", None)
    line = code.co_firstlineno if code is not None else 0
    if entry.refused is not None:
        raise _outcome.DecoratorError(spec["file"], line, str(entry.refused))
    declared = spec.get("declared")
    if declared is None:
        return
    try:
        # Validated once already, when the decorator ran.
        resolved = entry.resolved if entry.resolved is not None else resolve_options(entry.func.__name__, **entry.options)
        actual = resolved.to_json()
    except TaskConfigError as exc:
        raise _outcome.DecoratorError(spec["file"], line, "@task on %s: %s" % (entry.func.__qualname__, exc)) from None
    differ = []
    for key in sorted(set(actual) | set(declared)):
        param = _PARAM_OF.get(key, key)
        if actual.get(key) != declared.get(key) and param not in differ:
            differ.append(param)
    if differ:
        shown = "; ".join("%s: %s as read from the source, %s when the file ran" % (
            p, _shown(declared, p), _shown(actual, p)) for p in differ)
        raise _outcome.DecoratorError(spec["file"], line, (
            "@task on %s got other arguments when the file ran than its source says (%s). "
            "The runtime reads the decorator before the file runs: a name bound again, or a list "
            "or dict changed in place, is not seen there; write the values in the decorator"
        ) % (entry.func.__qualname__, shown))


_UNIT = {"compute": " fuel", "ram": " bytes", "timeout": " ms"}


def _shown(config, param):
    import json
    key = next(k for k, p in _PARAM_OF.items() if p == param and k != "compute")
    return json.dumps(config.get(key), ensure_ascii=False) + _UNIT.get(param, "")
