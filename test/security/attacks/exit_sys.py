# expect: error task_error ~ ^exited with status 3$
# attack: sys.exit must end the task, not the host
from capsule import task
import sys

@task(name="main")
def main() -> str:
    sys.exit(3)
