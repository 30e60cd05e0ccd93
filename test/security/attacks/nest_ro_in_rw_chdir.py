# expect: result = ["PermissionError","PermissionError","PermissionError","KEPT"]
# attack: chdir into the read-write grant, then reach the nested read-only one by relative paths
from capsule import task
import os

@task(name="main", allowed_files=["outer", {"path": "outer/inner", "mode": "read-only"}])
def main() -> list:
    os.chdir("outer")
    out = []
    for p in ["./inner/kept.txt", "inner/../inner/kept.txt", "sub/.././inner/kept.txt"]:
        try:
            with open(p, "w") as f:
                f.write("overwritten")
            out.append("wrote " + p)
        except OSError as e:
            out.append(type(e).__name__)
    out.append(open("inner/kept.txt").read())
    return out
