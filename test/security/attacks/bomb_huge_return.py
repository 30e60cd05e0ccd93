# expect: error out_of_memory ~ ^out of memory: .*ram limit of 32 MB
# attack: return a value far larger than the task's memory
from capsule import task

@task(name="main", ram="32MB")
def main() -> str:
    return "x" * (64 * 1024 * 1024)
