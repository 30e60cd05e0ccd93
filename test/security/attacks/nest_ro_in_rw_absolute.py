# expect: result = ["PermissionError","PermissionError","PermissionError","KEPT"]
# attack: absolute spellings of the nested read-only grant: `/project/./`, `//project//`, `..` over the project
from capsule import task

@task(name="main", allowed_files=["outer", {"path": "outer/inner", "mode": "read-only"}])
def main() -> list:
    out = []
    for p in ["/project/./outer/inner/kept.txt", "//project//outer/./inner/kept.txt", "/project/outer/../outer/./inner/kept.txt"]:
        try:
            with open(p, "w") as f:
                f.write("overwritten")
            out.append("wrote " + p)
        except OSError as e:
            out.append(type(e).__name__)
    out.append(open("outer/inner/kept.txt").read())
    return out
