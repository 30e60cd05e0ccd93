# expect: error wasm_error ~ aborted the interpreter
# attack: os.abort must end the task, not the host
from capsule import task
import os

@task(name="main")
def main() -> str:
    os.abort()
