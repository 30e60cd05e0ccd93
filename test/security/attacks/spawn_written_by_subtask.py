# expect: result = refused: permission_denied
# attack: E1, a sub-task with a read-write grant writes the module; its caller (no grants) imports and calls it
import sys
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="writer", allowed_files=["data_rw"])
def writer() -> str:
    with open("data_rw/evil_sub.py", "w") as f:
        f.write(EVIL)
    return "written"

@task(name="main")
def main() -> str:
    assert writer() == "written"
    sys.path.insert(0, "/project/data_rw")
    import evil_sub
    try:
        return "ESCAPED: " + evil_sub.evil()
    except TaskFailed as e:
        return "refused: " + e.error_type
