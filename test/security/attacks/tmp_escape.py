# expect: result = ["PermissionError","PermissionError","EXDEV","moved by copy: 5 bytes","child sees []"]
# attack: climb out of the in-memory /tmp with `..`, rename from it into a grant, and look for the caller's /tmp in a sub-task
from capsule import task
import errno, os, shutil

@task(name="child")
def child() -> str:
    return "child sees " + str(sorted(os.listdir("/tmp")))

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    out = []
    for p in ["/tmp/../project/secret_data/secret.txt", "/tmp/../../etc/passwd"]:
        try:
            out.append(open(p).read())
        except OSError as e:
            out.append(type(e).__name__)
    open("/tmp/mine.txt", "w").write("hello")
    try:
        os.rename("/tmp/mine.txt", "data_rw/mine.txt")
        out.append("renamed")
    except OSError as e:
        out.append(errno.errorcode.get(e.errno, type(e).__name__))
    shutil.move("/tmp/mine.txt", "data_rw/mine.txt")
    out.append(f"moved by copy: {os.path.getsize('data_rw/mine.txt')} bytes")
    out.append(child())
    return out
