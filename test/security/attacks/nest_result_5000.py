# expect: error task_error ~ ^the task's return value is nested too deeply: more than 500 levels of lists and dicts
# attack: a result nested 5,000 deep (once hung the CLI for good)
from capsule import task
import sys

@task(name="main")
def main():
    sys.setrecursionlimit(20_000)
    x = []
    for _ in range(5000):
        x = [x]
    return x
