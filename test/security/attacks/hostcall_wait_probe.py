# expect: result = [] ValueError
# attack: task.wait for tickets this attempt never got (another task's "s0"), then with a flood of ids: nothing leaks, nothing hangs
import json
import _capsule_host
from capsule import task

@task(name="main")
def main() -> str:
    got = json.loads(_capsule_host.call("task.wait", json.dumps({"ids": ["s0", "s1", "../x"], "timeoutMs": 10})))
    try:
        _capsule_host.call("task.wait", json.dumps({"ids": ["s%d" % i for i in range(20000)], "timeoutMs": 10}))
        flood = "answered"
    except Exception as e:
        flood = str(e).split(" ")[0].strip("[]")
    return json.dumps(got["done"]) + " " + flood
