# expect: result = ["ok","PermissionError","ok","PermissionError"]
# attack (the other way round): a read-write grant nested in a read-only one stays writable by any spelling, its parent stays read-only
from capsule import task

@task(name="main", allowed_files=[{"path": "outer", "mode": "read-only"}, "outer/inner"])
def main() -> list:
    out = []
    for p in ["outer/./inner/new.txt", "outer/./sub/x.txt", "outer/sub/../inner/new2.txt", "outer/inner/../sub/x.txt"]:
        try:
            with open(p, "w") as f:
                f.write("x")
            out.append("ok")
        except OSError as e:
            out.append(type(e).__name__)
    return out
