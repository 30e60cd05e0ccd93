# expect: result = PermissionError
# attack: delete a file in a read-only grant
from capsule import task
import os

@task(name="main", allowed_files=[{"path": "data_ro", "mode": "read-only"}])
def main() -> str:
    try:
        os.remove("data_ro/input.txt")
        return "removed"
    except OSError as e:
        return type(e).__name__
