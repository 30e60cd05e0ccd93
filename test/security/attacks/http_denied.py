# expect: result ~ ^PermissionError: .*127\.0\.0\.1.*allowed_hosts
# attack: HTTP with no grant
from capsule import task
from capsule.http import get
import os

@task(name="main", env_variables=["TEST_URL"])
def main() -> str:
    try:
        return str(get(os.environ["TEST_URL"]).status_code)
    except PermissionError as e:
        return "PermissionError: " + str(e)
