# expect: result = PermissionError
# attack: create an absolute symlink in a read-write grant, then follow it
from capsule import task
import os

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        os.symlink("/etc/passwd", "data_rw/planted-abs")
        return open("data_rw/planted-abs").read()[:40]
    except OSError as e:
        return type(e).__name__
