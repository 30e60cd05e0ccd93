"""A tiny "agent loop" in Python on the host: each step's code (canned here; an LLM's
in real life) runs in a fresh sandbox with no grants, and its result feeds the next.

    pip install ./python-sdk
    CAPSULE_CLI="node $PWD/bin/capsule.js" python3 examples/host-api/agent.py
"""
import asyncio
import json

from capsule.host import close, run_code

STEPS = [
    "import statistics\nstatistics.mean([3, 1, 4, 1, 5, 9, 2, 6])",
    "PREVIOUS * 2",
    "open('/etc/passwd').read()",  # untrusted code trying its luck: a PermissionError, not the file
]


async def main() -> None:
    previous = None
    for code in STEPS:
        cell = await run_code(code.replace("PREVIOUS", json.dumps(previous)), compute="LOW", timeout="5s")
        if cell["success"]:
            previous = cell["result"]
            print("ok:", json.dumps(previous))
        else:
            print("refused:", cell["error"]["message"].splitlines()[0])
    close()


if __name__ == "__main__":
    asyncio.run(main())
