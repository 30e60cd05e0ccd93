# expect: result = child: PermissionError
# attack: a sub-task uses its caller's allowed_hosts
from capsule import task
from capsule.http import get
import os

@task(name="child")
def child(url: str) -> str:
    try:
        return str(get(url).status_code)
    except Exception as e:
        return type(e).__name__

@task(name="main", allowed_hosts=["127.0.0.1"], env_variables=["TEST_URL"])
def main() -> str:
    return "child: " + child(os.environ["TEST_URL"])
