# expect: result = child: FileNotFoundError
# attack: a sub-task without grants tries to use its caller's grant
from capsule import task

@task(name="child")
def child() -> str:
    try:
        return open("data_ro/input.txt").read()
    except OSError as e:
        return type(e).__name__

@task(name="main", allowed_files=[{"path": "data_ro", "mode": "read-only"}])
def main() -> str:
    assert open("data_ro/input.txt").read() == "input"
    return "child: " + child()
