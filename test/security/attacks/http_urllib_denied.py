# expect: result ~ ^PermissionError: .*"127\.0\.0\.1" denied
# attack: the standard library's urllib must go through the same gate
from capsule import task
import os, urllib.request

@task(name="main", env_variables=["TEST_URL"])
def main() -> str:
    try:
        return urllib.request.urlopen(os.environ["TEST_URL"]).read().decode()
    except PermissionError as e:
        return "PermissionError: " + str(e)
    except Exception as e:
        return type(e).__name__ + ": " + str(e)
