# expect: error out_of_fuel ~ 100000000|100M|LOW
# attack: a loop inside the interpreter's C code
from capsule import task

@task(name="main", compute="LOW")
def main() -> int:
    return sum(range(10**12))
