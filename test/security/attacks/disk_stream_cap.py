# toml: [tasks]
# toml: default_disk = "1MB"
# expect: result ~ ^\["ENOSPC",(9\d\d\d\d\d|10[0-4]\d\d\d\d)\]$
# attack: write 4 MB in 64 KB chunks under a 1 MB cap: refused with ENOSPC at the cap, not after
from capsule import task
import errno

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    written = 0
    try:
        with open("data_rw/stream", "wb", buffering=0) as f:
            for _ in range(64):
                written += f.write(b"z" * 65536)
        return ["no cap", written]
    except OSError as e:
        return [errno.errorcode.get(e.errno, type(e).__name__), written]
