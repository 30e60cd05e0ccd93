# toml: [tasks]
# toml: max_subtasks = 4
# expect: result ~ ^0 1 2 3 permission_denied: .*max_subtasks = 4
# attack: an unbounded sub-task tree (each call fresh fuel): the run's sub-task count is capped by capsule.toml
from capsule import task, TaskFailed

@task(name="leaf")
def leaf(i: int) -> str:
    return str(i)

@task(name="main")
def main() -> str:
    out = []
    for i in range(6):
        try:
            out.append(leaf(i))
        except TaskFailed as e:
            out.append(e.error_type + ": " + e.message)
            break
    return " ".join(out)
