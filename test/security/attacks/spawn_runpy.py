# expect: result = refused: permission_denied
# attack: E1 through runpy.run_path on a file written into the grant
import runpy
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    with open("data_rw/evil_runpy.py", "w") as f:
        f.write(EVIL)
    g = runpy.run_path("/project/data_rw/evil_runpy.py")
    try:
        return "ESCAPED: " + g["evil"]()
    except TaskFailed as e:
        return "refused: " + e.error_type
