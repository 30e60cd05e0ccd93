# expect: result = child: None
# attack: a sub-task reads its caller's environment
from capsule import task
import os

@task(name="child")
def child() -> str:
    return str(os.getenv("GRANTED_VAR"))

@task(name="main", env_variables=["GRANTED_VAR"])
def main() -> str:
    assert os.getenv("GRANTED_VAR") == "granted"
    return "child: " + child()
