# toml: [tasks]
# toml: default_disk = "1MB"
# expect: result = ["written","ENOSPC"]
# attack: split the writing over sub-tasks, each hoping for a fresh cap (the cap is per run)
from capsule import task
import errno

@task(name="writer", allowed_files=["data_rw"])
def writer(name: str) -> str:
    try:
        with open(f"data_rw/{name}", "wb") as f:
            f.write(b"w" * 700_000)
        return "written"
    except OSError as e:
        return errno.errorcode.get(e.errno, type(e).__name__)

@task(name="main")
def main() -> list:
    return [writer("one"), writer("two")]
