# expect: result = same
# attack: task.spawn's file field as an oracle: is there a secret_data/secret.txt, a keys.py? The answers must not differ, nor show a host path
import json
import _capsule_host
from capsule import task

def answer(file):
    try:
        raw = _capsule_host.call("task.spawn", json.dumps({"task": "x", "file": file, "args": [], "kwargs": {}}))
        reply = json.loads(raw)
        msg = reply["error"]["error_type"] + ": " + reply["error"]["message"] if not reply.get("ok") else "ok"
    except Exception as e:
        msg = type(e).__name__ + ": " + str(e)
    return msg.replace(json.dumps(file), "FILE")

@task(name="main")
def main() -> str:
    files = ["secret_data/secret.txt", "secret_data/missing.txt", "secret_data", "nothing/here.py",
             "helper_mod.py", "../outside.py", "/etc/passwd", "/project/secret_data/secret.txt", "data_rw/.keep"]
    answers = {f: answer(f) for f in files}
    first = answers[files[0]]
    if all(a == first for a in answers.values()) and "/tmp" not in first and first.startswith("permission_denied"):
        return "same"
    return json.dumps(answers)
