"""The seed's second example: a resource-limited task that processes a dataset.

    npx capsule run examples/analyze_data.py --task analyze_data -- '[3, 1, 4, 1, 5]'
    npx capsule run examples/analyze_data.py          # main builds a dataset and calls analyze_data
"""
import statistics

from capsule import task


@task(name="analyze_data", compute="MEDIUM", ram="512MB", timeout="30s", max_retries=1)
def analyze_data(dataset: list) -> dict:
    """Process data in an isolated, resource-controlled environment."""
    numbers = [x for x in dataset if isinstance(x, (int, float))]
    return {
        "processed": len(dataset),
        "status": "complete",
        "mean": statistics.fmean(numbers) if numbers else None,
        "max": max(numbers) if numbers else None,
    }


@task(name="main", compute="LOW", ram="64MB", timeout="30s")
def main() -> dict:
    dataset = [n * n % 17 for n in range(100)]
    print(f"analyzing {len(dataset)} values")
    # Inside a sandbox this call runs analyze_data as a sub-task, in its own sandbox
    # with its own limits; as plain Python it just calls the function.
    return analyze_data(dataset)


if __name__ == "__main__":
    print(main())
