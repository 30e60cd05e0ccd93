# expect: result = ["FileNotFoundError","FileNotFoundError","PermissionError"]
# attack: plant bytecode beside a project module, read the host's cache, write a __pycache__ in the project
from capsule import task
import os

@task(name="main")
def main() -> list:
    out = []
    for step in [lambda: open("__pycache__/helper_mod.cpython-311.pyc", "wb").write(b"evil"),
                 lambda: os.listdir(".capsule/pycache"),
                 lambda: os.mkdir("__pycache__")]:
        try:
            step()
            out.append("done")
        except OSError as e:
            out.append(type(e).__name__)
    return out
