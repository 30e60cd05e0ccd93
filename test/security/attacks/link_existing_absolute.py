# expect: result = PermissionError
# attack: follow an absolute symlink that already exists in a granted directory
from capsule import task

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        return open("data_rw/abs-link").read()
    except OSError as e:
        return type(e).__name__
