# expect: result = OSError
# attack: start a host process
from capsule import task

@task(name="main")
def main() -> str:
    try:
        import subprocess
        return subprocess.run(["id"], capture_output=True).stdout.decode()
    except Exception as e:
        return type(e).__name__
