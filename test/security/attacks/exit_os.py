# expect: error task_error ~ exited the interpreter
# attack: os._exit must end the task, not the host
from capsule import task
import os

@task(name="main")
def main() -> str:
    os._exit(1)
