// hostPython (runtime/src/host-python.ts): the interpreter behind `python3`, asked once;
// PythonLines: one python3 answering line by line, started ahead when asked to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { hostPython, PythonLines } from '../../runtime/src/host-python';
import { poll } from '../poll';
import { tempDir } from '../temp-dir';

test('python3 is resolved to the interpreter it runs (its sys.executable), once', async () => {
  const exe = await hostPython('python3');
  assert.ok(isAbsolute(exe), exe);
  assert.equal(exe, String(execFileSync('python3', ['-c', 'import sys; print(sys.executable)'])).trim());
  assert.equal(await hostPython('python3'), exe);
});

test('a shim (a script that starts the interpreter) is looked through', async () => {
  const dir = tempDir('capsule-shim-');
  const shim = join(dir, 'python3');
  writeFileSync(shim, `#!/bin/sh\nexec python3 "$@"\n`);
  chmodSync(shim, 0o755);
  assert.equal(await hostPython(shim), await hostPython('python3'));
});

test('a name that cannot be run comes back as it is (its user then reports why)', async () => {
  assert.equal(await hostPython('/nonexistent/python3'), '/nonexistent/python3');
  const dir = tempDir('capsule-notpy-');
  const fake = join(dir, 'python3');
  writeFileSync(fake, '#!/bin/sh\necho relative/path\n');
  chmodSync(fake, 0o755);
  assert.equal(await hostPython(fake), fake);
});

// Answers each line with the pid of the python3 that read it.
const PID_SCRIPT = 'import os, sys\nfor line in sys.stdin:\n    print(os.getpid(), flush=True)\n';
const children = (): number[] => readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

test('warm() starts python3 before a request, and the request is answered by that process', async () => {
  const before = new Set(children());
  const lines = new PythonLines('python3', PID_SCRIPT, 60_000);
  try {
    lines.warm();
    const started = await poll('the warmed python3', () => children().find((pid) => !before.has(pid) && /python3/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))), 60_000, 20);
    assert.equal(await lines.ask('x\n'), String(started));
    // Its own process group (field 5 of /proc/PID/stat): a terminal's Ctrl-C does not reach it.
    const group = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
    assert.equal(group(started), started);
    assert.notEqual(group(started), group(process.pid));
    lines.warm(); // already running: nothing new
    assert.equal(await lines.ask('y\n'), String(started));
  } finally {
    lines.dispose();
  }
});

test('a warmed, idle python3 does not keep the process alive', () => {
  const script = `const { PythonLines } = require(${JSON.stringify(join(__dirname, '../../runtime/src/host-python.ts'))});\nnew PythonLines('python3', ${JSON.stringify(PID_SCRIPT)}, 60_000).warm();\nsetTimeout(() => console.log('still here'), 500);\n`;
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, 'the process had to be killed: the warmed python3 held it');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'still here\n');
});
