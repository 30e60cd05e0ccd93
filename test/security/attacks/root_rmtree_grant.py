# expect: result ~ ^\["EBUSY",true,\[\]\]$
# attack: shutil.rmtree on a whole read-write grant: its contents go, the granted directory stays
from capsule import task
import errno, os, shutil

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    out = []
    try:
        shutil.rmtree("data_rw")
        out.append("removed")
    except OSError as e:
        out.append(errno.errorcode.get(e.errno, type(e).__name__))
    out.append(os.path.isdir("data_rw"))
    out.append(sorted(os.listdir("data_rw")))
    return out
