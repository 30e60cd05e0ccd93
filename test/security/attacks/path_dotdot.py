# expect: result = PermissionError
# attack: walk out of the project with ".."
from capsule import task

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    try:
        return open("../../../../etc/passwd").read()[:40]
    except OSError as e:
        return type(e).__name__
