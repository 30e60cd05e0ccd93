# expect: result = PermissionError
# attack: rewrite the project's own code (a later task would run it)
from capsule import task

@task(name="main")
def main() -> str:
    try:
        open("helper_mod.py", "a").write("\nimport os\n")
        return "written"
    except OSError as e:
        return type(e).__name__
