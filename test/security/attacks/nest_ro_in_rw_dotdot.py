# expect: result = ["PermissionError","PermissionError","PermissionError","KEPT"]
# attack: the nested read-only grant reached by `..` from inside it, from a sibling, and from itself
from capsule import task

@task(name="main", allowed_files=["outer", {"path": "outer/inner", "mode": "read-only"}])
def main() -> list:
    out = []
    for p in ["outer/inner/../inner/kept.txt", "outer/sub/../inner/kept.txt", "outer/sub/deep/../../inner/x.txt"]:
        try:
            with open(p, "w") as f:
                f.write("overwritten")
            out.append("wrote " + p)
        except OSError as e:
            out.append(type(e).__name__)
    out.append(open("outer/inner/kept.txt").read())
    return out
