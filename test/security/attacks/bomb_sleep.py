# expect: error timeout ~ ^timed out: .*timeout of 1 s
# attack: sleep past the timeout
from capsule import task
import time

@task(name="main", timeout="1s")
def main() -> str:
    time.sleep(30)
    return "woke"
