# expect: error timeout ~ 1s|1000
# attack: sleep past the timeout
from capsule import task
import time

@task(name="main", timeout="1s")
def main() -> str:
    time.sleep(30)
    return "woke"
