# expect: result = done
# attack: flood the output with 10 MB
from capsule import task

@task(name="main", compute="HIGH")
def main() -> str:
    line = "x" * 1023
    for _ in range(10 * 1024):
        print(line)
    return "done"
