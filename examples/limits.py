"""Tasks that run into their limits, one per limit, and one with all three.

    npx capsule run examples/limits.py --task sleepy     # timed_out after about 2 s
    npx capsule run examples/limits.py --task spin       # out_of_fuel (compute="LOW")
    npx capsule run examples/limits.py --task grow       # out_of_memory (ram="32MB", MemoryError while growing)
    npx capsule run examples/limits.py --task combined   # all three limits: fuel runs out at about 1 s

out_of_fuel and out_of_memory are not retried even with max_retries (they would fail
the same way again); timeouts and Python exceptions are.
"""
import math
import time

from capsule import task


@task(name="sleepy", timeout="2s")
def sleepy() -> str:
    time.sleep(10)
    return "woke up"


@task(name="spin", compute="LOW", max_retries=2)
def spin() -> float:
    total = 0.0
    for i in range(10**8):
        total += math.sqrt(i) * math.sin(i) * math.cos(i)
    return total


@task(name="grow", ram="32MB", max_retries=2)
def grow() -> int:
    # A million floats take about 32 MB (24-byte objects plus the list's pointers):
    # Python raises MemoryError at the cap, reported as out_of_memory.
    lists = []
    for _ in range(100):
        lists.append([float(i) for i in range(1_000_000)])
    return len(lists)


@task(name="combined", compute="LOW", ram="32MB", timeout="2s")
def combined() -> float:
    # Stays under two limits and runs into the third: sleeps 1 s (under the 2 s
    # timeout), holds about 1 MB (under the 32 MB cap), then spins until the LOW
    # fuel budget is gone: out_of_fuel at about 1 s.
    time.sleep(1)
    kept = [float(i) for i in range(30_000)]
    total = 0.0
    for i in range(10**8):
        total += math.sqrt(i) * math.sin(i) * math.cos(i)
    return total + len(kept)


@task(name="main", compute="LOW", timeout="5s")
def main() -> str:
    return "run one of: sleepy, spin, grow, combined (capsule run examples/limits.py --task NAME)"
