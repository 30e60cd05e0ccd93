# expect: result = ["ENOSPC","ENOSPC",0]
# attack: write one byte 1 TB past the end, by seek and by os.pwrite
from capsule import task
import errno, os

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    out = []
    with open("data_rw/holey", "wb", buffering=0) as f:
        try:
            f.seek(2 ** 40)
            f.write(b"x")
            f.flush()
            out.append("wrote")
        except OSError as e:
            out.append(errno.errorcode.get(e.errno, type(e).__name__))
    fd = os.open("data_rw/holey", os.O_WRONLY)
    try:
        os.pwrite(fd, b"x", 2 ** 40)
        out.append("wrote")
    except OSError as e:
        out.append(errno.errorcode.get(e.errno, type(e).__name__))
    finally:
        os.close(fd)
    out.append(os.path.getsize("data_rw/holey"))
    return out
