# expect: result = FileNotFoundError
# attack: chdir to / and read a host file relative to it
from capsule import task
import os

@task(name="main")
def main() -> str:
    try:
        os.chdir("/")
        return open("etc/hostname").read()
    except OSError as e:
        return type(e).__name__
