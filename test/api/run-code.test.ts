// runCode's throwaway project: whatever the call's end (a result, a task error, a
// refused option), its folder is gone when the promise settles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createSandboxPool } from '../../runtime/src/api/index';
import { ConfigError } from '../../runtime/src/engine/errors';
import { tempDir } from '../temp-dir';

test('runCode leaves no folder behind: after a result, a task error, a bad env name or a bad limit; a killed process\'s is swept', { timeout: 120_000 }, async () => {
  // A private TMPDIR, so other suites' cells running beside this one are not counted.
  const tmp = tempDir('capsule-runcode-tmp-');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  // What a process killed mid-call (capsule serve, SIGKILL) left: its process is gone.
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  mkdirSync(join(tmp, `capsule-code-${gone}-x1y2z3`));
  writeFileSync(join(tmp, `capsule-code-${gone}-x1y2z3`, 'cell.py'), '');
  mkdirSync(join(tmp, `capsule-code-${process.ppid}-livepr`)); // a live process's: kept
  const pool = createSandboxPool();
  try {
    assert.equal((await pool.runCode('6 * 7')).result, 42);
    assert.deepEqual(readdirSync(tmp), [`capsule-code-${process.ppid}-livepr`], 'after a result, and the dead process\'s folder is gone');
    const failed = await pool.runCode('raise ValueError("no")');
    assert.equal(failed.success, false);
    assert.match(failed.error?.message ?? '', /ValueError: no/);
    assert.deepEqual(readdirSync(tmp), [`capsule-code-${process.ppid}-livepr`], 'after a task error');
    await assert.rejects(pool.runCode('1', { env: { 'BAD-NAME': 'x' } }), { name: 'TypeError', message: /env name "BAD-NAME" is not a valid variable name/ });
    assert.deepEqual(readdirSync(tmp), [`capsule-code-${process.ppid}-livepr`], 'after a refused env name');
    await assert.rejects(pool.runCode('1', { compute: 'ULTRA' }), (e: unknown) => e instanceof ConfigError && /^runCode: compute "ULTRA" is not a level/.test(e.message));
    assert.deepEqual(readdirSync(tmp), [`capsule-code-${process.ppid}-livepr`], 'after a refused limit');
  } finally {
    await pool.dispose();
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});
