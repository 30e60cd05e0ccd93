# expect: result = PermissionError
# attack: list the guest's root: only the sandbox's own mounts may show
from capsule import task
import os

@task(name="main")
def main() -> str:
    try:
        return str(sorted(os.listdir("/")))
    except OSError as e:
        return type(e).__name__
