// Runs the SDK's Python tests (Debian's python3 unittest) so that `npm test` covers them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('python-sdk unittest suite passes outside a sandbox', () => {
  const r = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'test/sdk', '-p', 'test_*.py', '-v'], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: 'python-sdk', PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /^OK/m);
});

test('examples/hello.py runs as plain Python with the SDK on the path', () => {
  const r = spawnSync('python3', ['-c', 'import runpy; m = runpy.run_path("examples/hello.py"); print(m["main"]())'], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: 'python-sdk', PYTHONDONTWRITEBYTECODE: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'Hello from Capsule!');
});
