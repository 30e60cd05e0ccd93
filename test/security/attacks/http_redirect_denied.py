# expect: result ~ ^PermissionError: .*localhost
# attack: an allowed host redirects to a denied one
from capsule import task
from capsule.http import get
import os

@task(name="main", allowed_hosts=["127.0.0.1"], env_variables=["TEST_URL"])
def main() -> str:
    try:
        return str(get(os.environ["TEST_URL"] + "/redirect-to-localhost").status_code)
    except PermissionError as e:
        return "PermissionError: " + str(e)
