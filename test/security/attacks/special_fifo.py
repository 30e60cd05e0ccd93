# expect: result = ["PermissionError","PermissionError","listed, not a file"]
# attack: open a named pipe in a granted directory (a blocking open would freeze every task's file access)
from capsule import task
import os, stat

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    out = []
    for mode in ["r", "w"]:
        try:
            open("data_rw/pipe", mode).close()
            out.append("opened")
        except OSError as e:
            out.append(type(e).__name__)
    out.append("listed, not a file" if not stat.S_ISREG(os.stat("data_rw/pipe").st_mode) else "a regular file")
    return out
