# expect: result = PermissionError
# attack: follow a relative symlink that already exists and climbs out of the grant
from capsule import task

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        return open("data_rw/rel-link").read()
    except OSError as e:
        return type(e).__name__
