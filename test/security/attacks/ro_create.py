# expect: result = PermissionError
# attack: create a file in a read-only grant
from capsule import task

@task(name="main", allowed_files=[{"path": "data_ro", "mode": "ro"}])
def main() -> str:
    try:
        open("data_ro/new.txt", "x").write("x")
        return "created"
    except OSError as e:
        return type(e).__name__
