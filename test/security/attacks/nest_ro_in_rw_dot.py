# expect: result = ["PermissionError","PermissionError","KEPT"]
# attack: a read-only grant nested in a read-write one, written through `/./`
from capsule import task

@task(name="main", allowed_files=["outer", {"path": "outer/inner", "mode": "read-only"}])
def main() -> list:
    out = []
    for p in ["outer/./inner/new.txt", "outer/./inner/kept.txt"]:
        try:
            with open(p, "w") as f:
                f.write("overwritten")
            out.append("wrote " + p)
        except OSError as e:
            out.append(type(e).__name__)
    out.append(open("outer/inner/kept.txt").read())
    return out
