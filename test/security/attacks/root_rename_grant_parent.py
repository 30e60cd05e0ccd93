# expect: result = ["EBUSY","EBUSY","PermissionError","DEEP"]
# attack: rename or remove a directory above a nested read-only grant, then write where it went
from capsule import task
import errno, os, shutil

@task(name="main", allowed_files=["outer", {"path": "outer/sub/deep", "mode": "read-only"}])
def main() -> list:
    out = []
    for step in [lambda: os.rename("outer/sub", "outer/sub2"), lambda: os.rmdir("outer/sub")]:
        try:
            step()
            out.append("done")
        except OSError as e:
            out.append(errno.errorcode.get(e.errno, type(e).__name__))
    where = "outer/sub2/deep/d.txt" if os.path.exists("outer/sub2") else "outer/sub/deep/d.txt"
    try:
        open(where, "w").write("overwritten")
        out.append("wrote")
    except OSError as e:
        out.append(type(e).__name__)
    out.append(open("outer/sub/deep/d.txt").read())
    return out
