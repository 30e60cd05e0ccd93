# expect: result = PermissionError
# attack: hard-link an ungranted project file into a writable grant
from capsule import task
import os

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        os.link("secret_data/secret.txt", "data_rw/s")
        return open("data_rw/s").read()
    except OSError as e:
        return type(e).__name__
