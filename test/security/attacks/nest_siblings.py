# expect: result = ["PermissionError","PermissionError","input","FileNotFoundError"]
# attack: sibling grants of different modes reached from each other by `..`; an ungranted sibling stays hidden
from capsule import task

@task(name="main", allowed_files=[{"path": "data_ro", "mode": "read-only"}, "data_rw"])
def main() -> list:
    out = []
    for p in ["data_rw/../data_ro/input.txt", "/project/data_rw/./../data_ro/new.txt"]:
        try:
            with open(p, "w") as f:
                f.write("x")
            out.append("ok")
        except OSError as e:
            out.append(type(e).__name__)
    out.append(open("data_rw/../data_ro/input.txt").read())
    try:
        out.append(open("data_rw/../secret_data/secret.txt").read())
    except OSError as e:
        out.append(type(e).__name__)
    return out
