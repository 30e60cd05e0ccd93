# expect: error task_error ~ C extensions are not supported
# attack: import a native extension module shipped in the project
from capsule import task

@task(name="main")
def main() -> str:
    import native_ext  # native_ext.cpython-311-x86_64-linux-gnu.so sits in the project
    return "imported"
