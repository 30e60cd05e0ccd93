# expect: result = FileNotFoundError
# attack: read other tasks' records from the trace database
from capsule import task

@task(name="main")
def main() -> str:
    try:
        return str(len(open(".capsule/trace.db", "rb").read()))
    except OSError as e:
        return type(e).__name__
