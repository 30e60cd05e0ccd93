# expect: result = {"GRANTED_VAR": "granted"}
# attack: dump the environment; only the granted variable may be there
from capsule import task
import json, os

@task(name="main", env_variables=["GRANTED_VAR"])
def main() -> str:
    return json.dumps(dict(os.environ), sort_keys=True)
