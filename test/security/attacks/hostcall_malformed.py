# expect: result = all clear
# attack: every host call with malformed payloads (wrong JSON, wrong types, unknown fields, huge strings): each answer is a clear, named error; the host survives
import json
import _capsule_host
from capsule import task

BAD = ["", "{", "null", "[]", "42", '"x"', "{}", '{"task": 5}', '{"task": ""}', '{"task": "x", "args": {}}',
       '{"task": "x", "kwargs": []}', '{"task": "x", "file": 7}', '{"task": "x", "extra": 1}', '{"url": 5}',
       '{"url": "http://a", "headers": {"a": 1}}', '{"url": "http://a", "bodyBase64": "%%%"}', '{"ids": "s0"}',
       '{"ids": [1, 2]}', '{"ids": [], "timeoutMs": -5}', json.dumps({"task": "x" * 100000}), "[" * 5000 + "]" * 5000]
OPS = ["http.request", "task.spawn", "task.submit", "task.wait", "no.such.op", "BAD OP"]

@task(name="main")
def main() -> str:
    unclear = []
    for op in OPS:
        for payload in BAD:
            try:
                _capsule_host.call(op, payload)
                unclear.append(f"{op} {payload[:30]}: answered")
            except Exception as e:
                text = str(e)
                clear = text.startswith("[ValueError] ") or text.startswith("invalid host op") or "not valid JSON" in text
                if not clear or "RangeError" in text or "TypeError" in text or "    at " in text:
                    unclear.append(f"{op} {payload[:30]}: {text[:200]}")
    return "all clear" if not unclear else "\n".join(unclear)
