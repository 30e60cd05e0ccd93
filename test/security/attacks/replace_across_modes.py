# expect: result = ["PermissionError","PermissionError","PermissionError","input","KEPT"]
# attack: replace a read-only file by one from a writable grant, pull one out, hard-link across grants of different modes
from capsule import task
import os

@task(name="main", allowed_files=["data_rw", {"path": "data_ro", "mode": "read-only"}, "outer", {"path": "outer/inner", "mode": "read-only"}])
def main() -> list:
    open("data_rw/evil.txt", "w").write("evil")
    out = []
    for step in [lambda: os.replace("data_rw/evil.txt", "data_ro/../data_ro/input.txt"),
                 lambda: os.replace("outer/./inner/kept.txt", "data_rw/kept.txt"),
                 lambda: os.link("outer/inner/kept.txt", "outer/linked.txt")]:
        try:
            step()
            out.append("done")
        except OSError as e:
            out.append(type(e).__name__)
    out += [open("data_ro/input.txt").read(), open("outer/inner/kept.txt").read()]
    return out
