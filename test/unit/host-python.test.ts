// hostPython (runtime/src/host-python.ts): the interpreter behind `python3`, asked once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { hostPython } from '../../runtime/src/host-python';

test('python3 is resolved to the interpreter it runs (its sys.executable), once', async () => {
  const exe = await hostPython('python3');
  assert.ok(isAbsolute(exe), exe);
  assert.equal(exe, String(execFileSync('python3', ['-c', 'import sys; print(sys.executable)'])).trim());
  assert.equal(await hostPython('python3'), exe);
});

test('a shim (a script that starts the interpreter) is looked through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-shim-'));
  const shim = join(dir, 'python3');
  writeFileSync(shim, `#!/bin/sh\nexec python3 "$@"\n`);
  chmodSync(shim, 0o755);
  assert.equal(await hostPython(shim), await hostPython('python3'));
});

test('a name that cannot be run comes back as it is (its user then reports why)', async () => {
  assert.equal(await hostPython('/nonexistent/python3'), '/nonexistent/python3');
  const dir = mkdtempSync(join(tmpdir(), 'capsule-notpy-'));
  const fake = join(dir, 'python3');
  writeFileSync(fake, '#!/bin/sh\necho relative/path\n');
  chmodSync(fake, 0o755);
  assert.equal(await hostPython(fake), fake);
});
