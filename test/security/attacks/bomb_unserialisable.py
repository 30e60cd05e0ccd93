# expect: error task_error ~ cannot be sent as JSON: result is an object, which JSON cannot carry
# attack: return something that cannot cross the boundary
from capsule import task

@task(name="main")
def main():
    return object()
