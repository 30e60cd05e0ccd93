# expect: result = sibling ok
# control: the project's own modules are importable (read-only)
from capsule import task

@task(name="main")
def main() -> str:
    import helper_mod
    return helper_mod.hello()
