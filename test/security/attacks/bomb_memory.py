# expect: error out_of_memory ~ ^out of memory: .*ram limit of 64 MB
# attack: allocate far past the ram limit
from capsule import task

@task(name="main", ram="64MB")
def main() -> int:
    return len("a" * 10**9)
