# expect: result = PermissionError
# attack: hard-link a host file into a writable grant
from capsule import task
import os

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        os.link("/etc/passwd", "data_rw/pw")
        return open("data_rw/pw").read()[:40]
    except OSError as e:
        return type(e).__name__
