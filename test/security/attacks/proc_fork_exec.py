# expect: result = AttributeError
# attack: fork/exec
from capsule import task
import os

@task(name="main")
def main() -> str:
    try:
        os.execv("/bin/sh", ["sh", "-c", "id"])
        return "exec"
    except Exception as e:
        return type(e).__name__
