# expect: result = None None None
# attack: read host variables that were not granted
from capsule import task
import os

@task(name="main")
def main() -> str:
    return f"{os.getenv('CAPSULE_TEST_SECRET')} {os.getenv('PATH')} {os.getenv('HOME')}"
