# expect: result !~ TOP-SECRET
# expect: result ~ decoy
# attack: two concurrent sub-tasks: one keeps swapping a link that leads out of the grant with a real directory, the other reads through that name
import asyncio, os, time
from capsule import task

@task(name="swapper", allowed_files=["data_rw"])
async def swapper() -> int:
    os.mkdir("data_rw/real")
    open("data_rw/real/secret.txt", "w").write("decoy")
    open("data_rw/started", "w").close()
    swaps = 0
    while not os.path.exists("data_rw/done") and swaps < 20000:
        os.rename("data_rw/real", "data_rw/x")
        os.rename("data_rw/x", "data_rw/real")
        os.rename("data_rw/to-secret-data", "data_rw/x")
        os.rename("data_rw/x", "data_rw/to-secret-data")
        swaps += 1
    return swaps

@task(name="reader", allowed_files=["data_rw"])
async def reader() -> list:
    for _ in range(3000):
        if os.path.exists("data_rw/started"):
            break
        time.sleep(0.01)
    seen = set()
    for _ in range(3000):
        try:
            seen.add(open("data_rw/x/secret.txt").read())
        except OSError as e:
            seen.add(type(e).__name__)
    open("data_rw/done", "w").close()
    return sorted(seen)

@task(name="main")
async def main() -> list:
    swaps, seen = await asyncio.gather(swapper(), reader())
    return seen
