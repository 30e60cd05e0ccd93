# expect: error task_error ~ RecursionError: maximum recursion depth exceeded
# attack: unbounded recursion
from capsule import task

def f(n):
    return f(n + 1) + 1

@task(name="main")
def main() -> int:
    return f(0)
