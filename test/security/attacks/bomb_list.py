# expect: error out_of_memory ~ ^out of memory: .*ram limit of 16 MB
# attack: grow a list until memory runs out
from capsule import task

@task(name="main", ram="16MB")
def main() -> int:
    xs = []
    while True:
        xs.append([0.5] * 100_000)
