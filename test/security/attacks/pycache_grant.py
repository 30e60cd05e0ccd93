# expect: config ~ inside \.capsule/, which holds Capsule's trace and bytecode cache
# attack: grant the bytecode cache to a task, to plant bytecode that later tasks (with other rights) would load
from capsule import task

@task(name="main", allowed_files=[".capsule/pycache"])
def main() -> str:
    return "granted"
