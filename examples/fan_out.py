"""Parallel sub-tasks: an async task awaits many sub-tasks with asyncio.gather; each
runs in its own fresh sandbox, with its own limits, at the same time as the others.

    npx capsule run examples/fan_out.py -- 20
"""
import asyncio

from capsule import task


@task(name="score", compute="MEDIUM", ram="64MB", timeout="10s")
async def score(item: int) -> dict:
    return {"item": item, "score": (item * 7919) % 101}


@task(name="main", compute="HIGH", ram="256MB", timeout="60s")
async def main(n: int = 10) -> dict:
    results = await asyncio.gather(*(score(i) for i in range(n)))
    best = max(results, key=lambda r: r["score"])
    return {"count": len(results), "best": best}


if __name__ == "__main__":
    print(asyncio.run(main()))
