# expect: error out_of_memory ~ 64
# attack: allocate far past the ram limit
from capsule import task

@task(name="main", ram="64MB")
def main() -> int:
    return len("a" * 10**9)
