# expect: result = refused: permission_denied
# attack: E1 through a zip archive put on sys.path (zipimport)
import sys
import zipfile
from capsule import task, TaskFailed

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    with zipfile.ZipFile("data_rw/evil.zip", "w") as z:
        z.writestr("evil_zip_mod.py", EVIL)
    sys.path.insert(0, "/project/data_rw/evil.zip")
    import evil_zip_mod
    try:
        return "ESCAPED: " + evil_zip_mod.evil()
    except TaskFailed as e:
        return "refused: " + e.error_type
