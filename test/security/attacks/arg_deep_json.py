# expect: error task_error ~ arguments cannot be sent as JSON
# args: deep
# attack: a deeply nested JSON argument
from capsule import task

@task(name="main")
def main(x=None) -> str:
    return "parsed"
