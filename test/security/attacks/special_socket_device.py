# expect: result ~ ^\["stat ok","PermissionError","(PermissionError|FileNotFoundError)","(PermissionError|FileNotFoundError)"\]$
# attack: stat and open a unix socket file and a character device (/dev/zero's numbers) found in a grant
from capsule import task
import os, stat

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    # a stat of a socket used to trap inside the interpreter (the WASI adapter has no socket file type)
    out = ["stat ok" if not stat.S_ISREG(os.stat("data_rw/sock").st_mode) else "a regular file"]
    for p, mode in [("data_rw/sock", "rb"), ("data_rw/zero", "rb"), ("data_rw/zero", "wb")]:
        try:
            with open(p, mode) as f:
                f.read(10) if "r" in mode else f.write(b"x")
            out.append("opened")
        except OSError as e:
            out.append(type(e).__name__)
    return out
