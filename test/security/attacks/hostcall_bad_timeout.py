# expect: result = ValueError ValueError ValueError ValueError
# attack: http.request with a negative, textual, huge or boolean timeoutMs: a clear ValueError naming the field, never Node's raw RangeError
import json
import _capsule_host
from capsule import task

def ask(timeout):
    try:
        _capsule_host.call("http.request", json.dumps({"method": "GET", "url": "http://127.0.0.1:1/", "timeoutMs": timeout}))
        return "answered"
    except Exception as e:
        text = str(e)
        if "RangeError" in text or "ERR_" in text or "timeoutMs" not in text or not text.startswith("[ValueError] http.request: "):
            return "unclear: " + text
        return "ValueError"

@task(name="main", allowed_hosts=["127.0.0.1"])
def main() -> str:
    return " ".join(ask(t) for t in (-1, "abc", 1e300, True))
