# expect: error task_error ~ cannot be sent back as JSON
# attack: return something that cannot cross the boundary
from capsule import task

@task(name="main")
def main():
    return object()
