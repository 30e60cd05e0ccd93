# expect: result = refused: permission_denied
# attack: E1 through a .pth file: site.addsitedir runs its import line, which loads the written module
import site
import sys
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    with open("data_rw/evil_pth_mod.py", "w") as f:
        f.write(EVIL)
    with open("data_rw/zz_evil.pth", "w") as f:
        f.write("import evil_pth_mod\n")
    site.addsitedir("/project/data_rw")
    try:
        return "ESCAPED: " + sys.modules["evil_pth_mod"].evil()
    except TaskFailed as e:
        return "refused: " + e.error_type
