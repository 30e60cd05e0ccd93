# expect: result = ["EBUSY","EBUSY",true]
# attack: empty a read-write grant, then remove the granted directory itself (it would break every later run)
from capsule import task
import errno, os

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    for name in os.listdir("data_rw"):
        os.remove(os.path.join("data_rw", name))
    out = []
    for p in ["data_rw", "/project/data_rw/."]:
        try:
            os.rmdir(p)
            out.append("removed")
        except OSError as e:
            out.append(errno.errorcode.get(e.errno, type(e).__name__))
    out.append(os.path.isdir("data_rw"))
    return out
