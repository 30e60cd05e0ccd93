// Sessions from the TypeScript API against the real sandbox: state persists across
// calls, an exception is that call's outcome (the session goes on), /scratch is
// writable and removed at close, the ram limit holds across calls, and a call past
// its time limit stops the session with a clear error for it and for later calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createSandboxPool, SessionError } from '../../runtime/src/api/index';

const sessionDirs = (): string[] => readdirSync(tmpdir()).filter((d) => d.startsWith('capsule-session-'));

test('a session keeps state, survives exceptions, has /scratch, keeps ram across calls, and stops past a call\'s time limit', { timeout: 300_000 }, async () => {
  const pool = createSandboxPool();
  const before = new Set(sessionDirs());
  try {
    const s = pool.session({ compute: 'HIGH', ram: '64MB', callTimeoutMs: 20_000 });
    assert.deepEqual(await s.run('import math\nx = 41\nprint("set")'), { ok: true, result: null, error: null, traceback: null, stdout: 'set\n', stderr: '' });
    assert.equal((await s.run('x + 1')).result, 42);
    const boom = await s.run('def f():\n    return 1/0\nf()');
    assert.equal(boom.ok, false);
    assert.equal(boom.error, 'ZeroDivisionError: division by zero');
    assert.match(boom.traceback!, /File "<cell>", line 2, in f/);
    assert.doesNotMatch(boom.traceback!, /session\.py/, 'the guest loop\'s frame is not shown');
    assert.equal((await s.run("open('/scratch/a.txt', 'w').write('abc')\nopen('/scratch/a.txt').read()")).result, 'abc');
    // 40 MB kept by one call, 40 MB more asked by the next: over the session's 64 MB.
    assert.equal((await s.run('keep = bytearray(40 * 1024 * 1024)\nlen(keep)')).result, 40 * 1024 * 1024);
    const more = await s.run('more = bytearray(40 * 1024 * 1024)').catch((e: Error) => e);
    assert.ok(more instanceof SessionError ? /out_of_memory/.test(more.message) : (more as { error: string }).error.startsWith('MemoryError'), String(more));
    await s.close();
    const newDirs = sessionDirs().filter((d) => !before.has(d));
    assert.deepEqual(newDirs.filter((d) => existsSync(`${tmpdir()}/${d}`)), [], 'the session directory (and /scratch) is removed at close');

    const slow = pool.session({ compute: 'HIGH', callTimeoutMs: 1_500 });
    assert.equal((await slow.run('y = 1\ny')).result, 1);
    await assert.rejects(slow.run('import time\ntime.sleep(30)'), (e: Error) => e instanceof SessionError && /ran past its 1500 ms limit; the session was stopped/.test(e.message));
    await assert.rejects(slow.run('y'), SessionError);
    await slow.close();
  } finally {
    await pool.dispose();
  }
});
