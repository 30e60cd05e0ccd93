# expect: error out_of_fuel ~ ^out of fuel: .*budget of 100M fuel .*compute="LOW"
# attack: a loop inside the interpreter's C code
from capsule import task

@task(name="main", compute="LOW")
def main() -> int:
    return sum(range(10**12))
