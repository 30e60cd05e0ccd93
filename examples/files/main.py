"""File access: nothing is granted by default; each task gets exactly the
directories its own decorator lists.

`main` may only read ./data. It reads ./data/input.txt, shows that writing there
raises PermissionError, then calls the sub-task `write_report`, which runs in its
own sandbox with read-write access to ./data and writes ./data/output.txt.

    npx capsule run examples/files/main.py
"""
from capsule import task


@task(name="write_report", compute="MEDIUM", ram="64MB", timeout="20s",
      allowed_files=[{"path": "data", "mode": "read-write"}])
def write_report(lines: list) -> int:
    text = "".join(f"{n}. {line}\n" for n, line in enumerate(lines, start=1))
    with open("./data/output.txt", "w") as out:
        out.write(text)
    return len(text)


@task(name="main", compute="MEDIUM", ram="64MB", timeout="30s",
      allowed_files=[{"path": "data", "mode": "read-only"}])
def main() -> dict:
    with open("./data/input.txt") as src:
        lines = [line.strip() for line in src if line.strip()]
    try:
        with open("./data/output.txt", "w") as out:
            out.write("the read-only grant let this through")
        refused = None
    except PermissionError as exc:
        refused = f"{type(exc).__name__}: {exc}"
    written = write_report(lines)  # a sub-task: its own sandbox, its own grants
    with open("./data/output.txt") as back:  # reading is what main may do
        report = back.read()
    return {"lines": len(lines), "bytes_written": written, "write_refused": refused, "report": report}


if __name__ == "__main__":
    print(main())
