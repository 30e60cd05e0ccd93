# expect: result = refused: permission_denied
# attack: E1, one sub-task writes the module, a sibling without grants imports and calls it
import sys
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="writer", allowed_files=["data_rw"])
def writer() -> str:
    with open("data_rw/evil_sib.py", "w") as f:
        f.write(EVIL)
    return "written"

@task(name="caller")
def caller() -> str:
    sys.path.insert(0, "/project/data_rw")
    import evil_sib
    try:
        return "ESCAPED: " + evil_sib.evil()
    except TaskFailed as e:
        return "refused: " + e.error_type

@task(name="main")
def main() -> str:
    assert writer() == "written"
    return caller()
