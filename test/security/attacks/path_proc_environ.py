# expect: result = PermissionError
# attack: read the host's environment through /proc
from capsule import task

@task(name="main")
def main() -> str:
    try:
        return open("/proc/self/environ", "rb").read()[:40].decode()
    except OSError as e:
        return type(e).__name__
