# expect: result = PermissionError
# attack: list the host's processes
from capsule import task
import os

@task(name="main")
def main() -> str:
    try:
        return ",".join(os.listdir("/proc")[:5])
    except OSError as e:
        return type(e).__name__
