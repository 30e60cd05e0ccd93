# expect: result = refused: permission_denied
# attack: E1 through importlib.util.spec_from_file_location, under a made-up module name
import importlib.util
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    with open("data_rw/evil_il.py", "w") as f:
        f.write(EVIL)
    spec = importlib.util.spec_from_file_location("helper_mod", "/project/data_rw/evil_il.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    try:
        return "ESCAPED: " + mod.evil()
    except TaskFailed as e:
        return "refused: " + e.error_type
