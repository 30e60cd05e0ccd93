# expect: result = refused: permission_denied
# attack: E1 through exec: code that claims to be main.py defines a task main.py does not have
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="main")
def main() -> str:
    g = {"__name__": "fake"}
    exec(compile(EVIL, "/project/main.py", "exec"), g)
    try:
        return "ESCAPED: " + g["evil"]()
    except TaskFailed as e:
        return "refused: " + e.error_type
