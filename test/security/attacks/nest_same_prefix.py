# expect: result = ["PermissionError","PermissionError","ok","DATA"]
# attack: grants with a common prefix (`data` read-only, `data2` read-write) must not share rights
from capsule import task

@task(name="main", allowed_files=[{"path": "data", "mode": "read-only"}, "data2"])
def main() -> list:
    out = []
    for p in ["data2/../data/file.txt", "data2/./../data/new.txt", "data/../data2/new.txt"]:
        try:
            with open(p, "w") as f:
                f.write("x")
            out.append("ok")
        except OSError as e:
            out.append(type(e).__name__)
    out.append(open("data/file.txt").read())
    return out
