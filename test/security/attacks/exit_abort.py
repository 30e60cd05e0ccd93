# expect: error task_error|wasm_error ~ .
# attack: os.abort must end the task, not the host
from capsule import task
import os

@task(name="main")
def main() -> str:
    os.abort()
