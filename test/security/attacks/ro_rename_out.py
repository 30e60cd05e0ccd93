# expect: result = PermissionError
# attack: move a file out of a read-only grant into a writable one
from capsule import task
import os

@task(name="main", allowed_files=[{"path": "data_ro", "mode": "read-only"}, "data_rw"])
def main() -> str:
    try:
        os.rename("data_ro/input.txt", "data_rw/moved.txt")
        return "moved"
    except OSError as e:
        return type(e).__name__
