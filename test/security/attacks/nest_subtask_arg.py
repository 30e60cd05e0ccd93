# expect: result ~ ^ValueError: .*nested too deeply: more than 500 levels
# attack: a sub-task argument nested 5,000 deep
from capsule import task
import sys

@task(name="take")
def take(x):
    return "took it"

@task(name="main")
def main():
    sys.setrecursionlimit(20_000)
    x = []
    for _ in range(5000):
        x = [x]
    try:
        take(x)
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)
    return "no error"
