# expect: result ~ ^PermissionError: .*credentials
# attack: the userinfo trick, http://allowed@evil
from capsule import task
from capsule.http import get
import os

@task(name="main", allowed_hosts=["127.0.0.1"], env_variables=["TEST_PORT"])
def main() -> str:
    try:
        return str(get(f"http://127.0.0.1@localhost:{os.environ['TEST_PORT']}/").status_code)
    except PermissionError as e:
        return "PermissionError: " + str(e)
