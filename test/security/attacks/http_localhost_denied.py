# expect: result ~ ^PermissionError: .*localhost
# attack: localhost when only another host is allowed
from capsule import task
from capsule.http import get
import os

@task(name="main", allowed_hosts=["example.com"], env_variables=["TEST_PORT"])
def main() -> str:
    try:
        return str(get(f"http://localhost:{os.environ['TEST_PORT']}/").status_code)
    except PermissionError as e:
        return "PermissionError: " + str(e)
