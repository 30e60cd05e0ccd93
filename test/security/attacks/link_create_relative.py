# expect: result = PermissionError
# attack: create a relative symlink that climbs out, then list through it
from capsule import task
import os

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        os.symlink("../../../..", "data_rw/planted-up")
        return str(os.listdir("data_rw/planted-up"))
    except OSError as e:
        return type(e).__name__
