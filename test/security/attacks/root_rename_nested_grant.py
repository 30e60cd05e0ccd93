# expect: result = ["EBUSY","EBUSY","KEPT"]
# attack: move a nested grant's root away through the writable parent grant, or replace it with another directory
from capsule import task
import errno, os

@task(name="main", allowed_files=["outer", "outer/inner"])
def main() -> list:
    os.mkdir("outer/empty")
    out = []
    for step in [lambda: os.rename("outer/inner", "outer/moved"), lambda: os.replace("outer/empty", "outer/inner")]:
        try:
            step()
            out.append("done")
        except OSError as e:
            out.append(errno.errorcode.get(e.errno, type(e).__name__))
    out.append(open("outer/inner/kept.txt").read())
    return out
