# expect: result = ModuleNotFoundError ModuleNotFoundError ModuleNotFoundError
# attack: reach the host's JavaScript the way Pyodide allows
from capsule import task

@task(name="main")
def main() -> str:
    out = []
    for name in ("js", "pyodide", "_pyodide"):
        try:
            __import__(name)
            out.append("imported " + name)
        except Exception as e:
            out.append(type(e).__name__)
    return " ".join(out)
