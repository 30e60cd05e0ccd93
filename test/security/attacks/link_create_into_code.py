# expect: result = PermissionError
# attack: plant a symlink to an ungranted project directory for a later task to follow
from capsule import task
import os

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        os.symlink("../secret_data", "data_rw/planted-secret")
        return "planted"
    except OSError as e:
        return type(e).__name__
