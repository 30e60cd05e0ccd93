"""Reads a JSON table of @task argument sets on stdin and prints, for each, what the
Python SDK makes of it: {"ok": true, "config": ...} or {"ok": false, "error": ...}."""
import json
import sys

from capsule._config import TaskConfigError, resolve_options

out = []
for args in json.load(sys.stdin):
    try:
        # As @task calls it: a None argument is "not given" (its signature's default).
        given = {k: v for k, v in args.items() if v is not None}
        config = resolve_options("f", **given).to_json()
        out.append({"ok": True, "config": config})
    except TaskConfigError as exc:
        out.append({"ok": False, "error": str(exc)})
json.dump(out, sys.stdout)
