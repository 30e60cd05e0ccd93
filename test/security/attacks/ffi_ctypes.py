# expect: result = ModuleNotFoundError
# attack: load native code with ctypes
from capsule import task

@task(name="main")
def main() -> str:
    try:
        import ctypes
        return str(ctypes.CDLL(None))
    except Exception as e:
        return type(e).__name__
