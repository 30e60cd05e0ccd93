// The Python host API (capsule.host) as a user gets it: the SDK installed with pip
// into a fresh virtualenv (Debian's python3, offline), talking to `capsule serve
// --stdio` through the real CLI and sandbox. Covers run, run_sync, run_code (with
// no grants unless given), 20 calls in flight, and the serve process killed mid-call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import asyncio, json, os, threading, time
from capsule import CapsuleServeError, run, run_code, run_code_sync, run_sync
from capsule.host import Session, _server, close

out = {}
out["sync"] = run_sync("tasks.py", task="double", args=[21])["result"]
big = asyncio.run(run("tasks.py", task="double", kwargs={"x": 2**70}))["result"]
out["async"] = [big == 2**71, type(big).__name__]
cell = run_code_sync("import sys\nprint('hi')\nx = 6\nx * 7")
out["cell"] = [cell["result"], cell["stdout"], cell["success"]]
out["exact"] = run_code_sync("2**64 + 0.5 == 2**64, 3.0")["result"]

async def many():
    return await asyncio.gather(*(run_code(f"{i} * 3", compute="LOW") for i in range(20)))
out["many"] = [r["result"] for r in asyncio.run(many())]

# No grants unless given: no file outside, no host, no environment.
denied = run_code_sync("open('/etc/passwd').read()")
out["file"] = [denied["success"], denied["error"]["message"].split(":")[0]]
out["env"] = run_code_sync("import os\nsorted(os.environ)")["result"]
out["given_env"] = run_code_sync("import os\nos.environ['TOKEN']", env={"TOKEN": "t0k"})["result"]
net = run_code_sync("from capsule import http\nhttp.get('http://127.0.0.1:9/')")
out["http"] = [net["success"], "denied" in net["error"]["message"]]
try:
    run_code_sync("1", compute="ULTRA")
except CapsuleServeError as e:
    out["config"] = [e.kind, str(e)]

# A session keeps the interpreter's state, and its scratch directory, across calls.
async def session():
    async with Session(compute="HIGH", call_timeout=20) as s:
        a = await s.run("import json\nx = 41\nopen('/scratch/n.txt', 'w').write('7')")
        b = await s.run("print('again')\nx + int(open('/scratch/n.txt').read())")
        c = await s.run("1/0")
        d = await s.run("x")
        return [a["ok"], b["result"], b["stdout"], c["ok"], c["error"], d["result"]]
out["session"] = asyncio.run(session())

# The serve process killed mid-call: the call fails clearly, the next call restarts it.
result = {}
def slow():
    try:
        run_code_sync("import time\ntime.sleep(60)")
        result["slow"] = "returned"
    except CapsuleServeError as e:
        result["slow"] = e.kind
t = threading.Thread(target=slow)
t.start()
time.sleep(3)
_server._proc.kill()
t.join(30)
out["killed"] = result.get("slow")
out["after"] = run_code_sync("'back'")["result"]
close()
print(json.dumps(out))
`;

test('capsule.host from a pip-installed SDK: run, run_sync, run_code, concurrency, no grants by default, a killed server', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-host-'));
  try {
    const venv = join(dir, 'venv');
    const mk = spawnSync(PYTHON, ['-m', 'venv', '--system-site-packages', venv], { encoding: 'utf8' });
    assert.equal(mk.status, 0, mk.stderr);
    const pip = spawnSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--no-build-isolation', '--no-index', '--quiet', resolve('python-sdk')], { encoding: 'utf8' });
    assert.equal(pip.status, 0, pip.stderr + pip.stdout);

    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'tasks.py'), 'from capsule import task\n\n@task(name="double", compute="LOW")\ndef double(x):\n    return x * 2\n');
    writeFileSync(join(project, 'client.py'), SCRIPT);
    const r = spawnSync(join(venv, 'bin', 'python'), ['client.py'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 400_000,
      env: { ...process.env, CAPSULE_CLI: `${process.execPath} ${resolve('bin/capsule.js')}`, PYTHONPATH: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(out.sync, 42);
    assert.deepEqual(out.async, [true, 'int'], '2**71 came back exact');
    assert.deepEqual(out.cell, [42, 'hi\n', true]);
    assert.deepEqual(out.exact, [true, 3.0]);
    assert.deepEqual(out.many, [...Array(20).keys()].map((i) => i * 3));
    assert.deepEqual(out.file, [false, 'PermissionError']);
    assert.deepEqual(out.env, []);
    assert.equal(out.given_env, 't0k');
    assert.deepEqual(out.http, [false, true]);
    assert.equal(out.config[0], 'config');
    assert.match(out.config[1], /^runCode: compute "ULTRA" is not a level; use "LOW", "MEDIUM", "HIGH"/);
    assert.deepEqual(out.session, [true, 48, 'again\n', false, 'ZeroDivisionError: division by zero', 41]);
    assert.equal(out.killed, 'died');
    assert.equal(out.after, 'back');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
