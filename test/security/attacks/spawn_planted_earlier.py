# expect: result = refused: permission_denied
# attack: E1 across runs: a module an earlier run wrote into a writable grant (planted here before the run) is imported by a task with no grants
import sys
from capsule import task, TaskFailed

@task(name="writer", allowed_files=["data_rw"])
def writer() -> None:
    pass  # never called in this run: its grant alone makes data_rw writable

@task(name="main")
def main() -> str:
    sys.path.insert(0, "/project/data_rw")
    import planted
    try:
        return "ESCAPED: " + planted.evil()
    except TaskFailed as e:
        return "refused: " + e.error_type
