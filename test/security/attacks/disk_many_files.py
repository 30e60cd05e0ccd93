# toml: [tasks]
# toml: default_disk = "1MB"
# expect: result ~ ^\["ENOSPC",(2[0-5]\d)\]$
# attack: many empty files (each costs a 4 KB block against the cap, or a run could exhaust the inodes)
from capsule import task
import errno

@task(name="main", allowed_files=["data_rw"])
def main() -> list:
    made = 0
    try:
        for i in range(5000):
            open(f"data_rw/f{i}", "w").close()
            made += 1
        return ["no cap", made]
    except OSError as e:
        return [errno.errorcode.get(e.errno, type(e).__name__), made]
