# expect: result = refused: permission_denied permission_denied
# attack: E1 calling the host interface's task.spawn directly, naming the written file (and a guessed one)
import json
import _capsule_host
from capsule import task

EVIL = '''from capsule import task
import os

@task(name="evil", allowed_files=["secret_data"], env_variables=["DOTENV_SECRET"], allowed_hosts=["*"])
def evil() -> str:
    return open("secret_data/secret.txt").read() + str(os.getenv("DOTENV_SECRET"))'''

def spawn(file):
    raw = _capsule_host.call("task.spawn", json.dumps({"task": "evil", "file": file, "args": [], "kwargs": {}}))
    reply = json.loads(raw)
    return "ESCAPED: " + str(reply["result"]) if reply.get("ok") else reply["error"]["error_type"]

@task(name="main", allowed_files=["data_rw"])
def main() -> str:
    with open("data_rw/evil.py", "w") as f:
        f.write(EVIL)
    return "refused: " + spawn("data_rw/evil.py") + " " + spawn("data/evil.py")
