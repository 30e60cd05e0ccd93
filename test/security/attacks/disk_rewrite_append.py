# toml: [tasks]
# toml: default_disk = "1MB"
# expect: result = ["ENOSPC","ENOSPC","ENOSPC"]
# attack: evade a byte cap by rewriting one small region, by appending, by deleting and starting over
from capsule import task
import errno, os

def until_full(step):
    try:
        for _ in range(100):
            step()
        return "no cap"
    except OSError as e:
        return errno.errorcode.get(e.errno, type(e).__name__)

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    out = []
    with open("data_rw/region", "wb", buffering=0) as f:
        def rewrite():
            f.seek(0)
            f.write(b"r" * 65536)
        out.append(until_full(rewrite))
    return out + [until_full(lambda: open("data_rw/log", "ab").write(b"a" * 65536)),
                  until_full(lambda: (open("data_rw/tmp", "wb").write(b"t" * 65536), os.remove("data_rw/tmp")))]
