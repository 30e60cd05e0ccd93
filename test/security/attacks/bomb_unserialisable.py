# expect: error task_error ~ JSON|serial
# attack: return something that cannot cross the boundary
from capsule import task

@task(name="main")
def main():
    return object()
