# expect: error out_of_fuel ~ ^out of fuel: .*compute="LOW"
# attack: catastrophic regex backtracking
from capsule import task
import re

@task(name="main", compute="LOW")
def main() -> bool:
    return bool(re.match(r"(a+)+$", "a" * 40 + "b"))
