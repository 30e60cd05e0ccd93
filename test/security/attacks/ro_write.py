# expect: result = PermissionError
# attack: overwrite a file in a read-only grant
from capsule import task

@task(name="main", allowed_files=[{"path": "data_ro", "mode": "read-only"}])
def main() -> str:
    try:
        open("data_ro/input.txt", "w").write("pwned")
        return "written"
    except OSError as e:
        return type(e).__name__
