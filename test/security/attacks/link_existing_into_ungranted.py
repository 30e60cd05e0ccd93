# expect: result = PermissionError
# attack: a symlink inside the grant pointing at an ungranted project directory
from capsule import task

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        return open("data_rw/to-secret-data/secret.txt").read()
    except OSError as e:
        return type(e).__name__
