# expect: result ~ ^TaskFailed task_error: the task's return value is nested too deeply: more than 500 levels
# attack: a sub-task returns a value nested 5,000 deep to its caller (once hung the caller)
from capsule import task, TaskFailed
import sys

@task(name="deep")
def deep():
    sys.setrecursionlimit(20_000)
    x = []
    for _ in range(5000):
        x = [x]
    return x

@task(name="main")
def main():
    try:
        deep()
    except TaskFailed as e:
        return "TaskFailed %s: %s" % (e.error_type, e.message)
    return "no error"
