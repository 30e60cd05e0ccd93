# expect: result = refused: permission_denied
# attack: E1 through exec(compile(...)) with the written file's name
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    with open("data_rw/evil_exec.py", "w") as f:
        f.write(EVIL)
    g = {"__name__": "evil_exec"}
    exec(compile(EVIL, "/project/data_rw/evil_exec.py", "exec"), g)
    try:
        return "ESCAPED: " + g["evil"]()
    except TaskFailed as e:
        return "refused: " + e.error_type
