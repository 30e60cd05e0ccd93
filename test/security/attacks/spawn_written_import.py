# expect: result = refused: permission_denied
# attack: E1, a task writes a .py with a stronger @task into its read-write grant, imports it and calls it
import sys
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    with open("data_rw/evil_mod.py", "w") as f:
        f.write(EVIL)
    sys.path.insert(0, "/project/data_rw")
    import evil_mod
    try:
        return "ESCAPED: " + evil_mod.evil()
    except TaskFailed as e:
        return "refused: " + e.error_type
