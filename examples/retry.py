"""Retries: the task fails on its first two attempts and succeeds on the third.

It counts its attempts in a file under state/ (granted read-write), one counter per
key, so every new key starts again at zero:

    npx capsule run examples/retry.py -- my-key

max_retries=2 allows two extra attempts; each runs in a fresh sandbox, which is why
the count lives in a file. `execution.retries` in `--json` shows 2.
"""
import os

from capsule import task


@task(name="main", compute="LOW", ram="64MB", timeout="10s", max_retries=2, allowed_files=["state"])
def main(key: str = "default") -> str:
    safe = "".join(c for c in key if c.isalnum() or c in "-_") or "default"
    path = os.path.join("state", f"retry-{safe}.count")
    try:
        with open(path) as f:
            attempts = int(f.read() or "0")
    except FileNotFoundError:
        attempts = 0
    attempts += 1
    with open(path, "w") as f:
        f.write(str(attempts))
    if attempts < 3:
        raise RuntimeError(f"flaky failure on attempt {attempts} of key {safe!r}")
    return f"succeeded on attempt {attempts}"
