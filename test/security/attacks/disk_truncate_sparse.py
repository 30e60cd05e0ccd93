# expect: result = ["ENOSPC",0]
# attack: a 1 TB sparse file by truncate(2**40) (the disk cap counts growth in full, holes too)
from capsule import task
import errno, os

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    out = []
    with open("data_rw/big", "wb") as f:
        try:
            f.truncate(2 ** 40)
            out.append("grew")
        except OSError as e:
            out.append(errno.errorcode.get(e.errno, type(e).__name__))
    out.append(os.path.getsize("data_rw/big"))
    return out
