# expect: result = AttributeError
# attack: os.system
from capsule import task
import os

@task(name="main")
def main() -> str:
    try:
        return str(os.system("id"))
    except Exception as e:
        return type(e).__name__
