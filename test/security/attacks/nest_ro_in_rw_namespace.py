# expect: result = ["PermissionError","PermissionError","PermissionError","PermissionError","PermissionError",["kept.txt"]]
# attack: mkdir, remove, rename out, replace, truncate inside the nested read-only grant through `/./`
from capsule import task
import os

@task(name="main", allowed_files=["outer", {"path": "outer/inner", "mode": "read-only"}])
def main() -> list:
    open("outer/mine.txt", "w").write("mine")
    steps = [
        lambda: os.mkdir("outer/./inner/newdir/"),
        lambda: os.remove("outer/./inner/kept.txt"),
        lambda: os.rename("outer/./inner/kept.txt", "outer/stolen.txt"),
        lambda: os.replace("outer/mine.txt", "outer/./inner/kept.txt"),
        lambda: os.truncate("outer/./inner/kept.txt", 0),
    ]
    out = []
    for step in steps:
        try:
            step()
            out.append("done")
        except OSError as e:
            out.append(type(e).__name__)
    out.append(sorted(os.listdir("outer/inner")))
    return out
