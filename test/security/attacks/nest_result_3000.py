# expect: error task_error ~ ^the task's return value is nested too deeply: more than 500 levels
# attack: a result nested 3,000 deep (once crashed the CLI: RangeError in JSON.stringify)
from capsule import task
import sys

@task(name="main")
def main():
    sys.setrecursionlimit(20_000)
    x = {}
    for _ in range(3000):
        x = {"k": x}
    return x
