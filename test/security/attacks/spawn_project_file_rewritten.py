# expect: result = refused: permission_denied
# attack: E1, a project module that sits in a read-write grant (data_rw/planted.py) is rewritten during the run with a stronger task, then called
import sys
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="rewritten", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"])
def rewritten() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))
'''

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    with open("data_rw/planted.py", "w") as f:
        f.write(EVIL)
    sys.path.insert(0, "/project/data_rw")
    import planted
    try:
        return "ESCAPED: " + planted.rewritten()
    except TaskFailed as e:
        return "refused: " + e.error_type
