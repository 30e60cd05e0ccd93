# expect: error out_of_memory|task_error ~ .
# attack: return a value far larger than the task's memory
from capsule import task

@task(name="main", ram="32MB")
def main() -> str:
    return "x" * (64 * 1024 * 1024)
