// The file-system policy on the real preview2-shim filesystem (the one the
// sandbox's component is transpiled against), driven through its WASI API.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fs from '@bytecodealliance/preview2-shim/filesystem';
import { installFsPolicy, symlinkStaysInside, createFsLock } from '../../runtime/src/sandbox/fs-policy';

const shim = fs as any;
let root: string;
let outside: string;
const dirs: Record<string, any> = {};
const READ = { read: true };
const WRITE = { read: true, write: true };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return String((e as any)?.payload ?? e);
  }
  return 'ok';
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'capsule-fs-'));
  outside = mkdtempSync(join(tmpdir(), 'capsule-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'SECRET');
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'mod.py'), 'x = 1\n');
  writeFileSync(join(root, 'src', 'data.csv'), 'a,b\n');
  writeFileSync(join(root, '.env'), 'TOKEN=1\n');
  mkdirSync(join(root, 'ro'));
  writeFileSync(join(root, 'ro', 'input.txt'), 'input');
  mkdirSync(join(root, 'rw'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'rw', 'abs-link'));
  symlinkSync('../../' + outside.split('/').pop() + '/secret.txt', join(root, 'rw', 'rel-link'));
  shim._setPreopens({ '/project': root, '/project/ro': join(root, 'ro'), '/project/rw': join(root, 'rw') });
  installFsPolicy(shim, { '/project': 'code', '/project/ro': 'read-only', '/project/rw': 'read-write' }, createFsLock());
  for (const [d, p] of shim._getPreopens()) dirs[p] = d;
});

test('the code mount shows Python sources only', () => {
  assert.equal(code(() => dirs['/project'].openAt({}, 'src/mod.py', {}, READ)), 'ok');
  assert.equal(code(() => dirs['/project'].openAt({}, 'src/data.csv', {}, READ)), 'access');
  assert.equal(code(() => dirs['/project'].openAt({}, '.env', {}, READ)), 'access');
  assert.equal(code(() => dirs['/project'].statAt({}, '.env')), 'no-entry');
  assert.equal(code(() => dirs['/project'].statAt({}, 'src')), 'ok');
});

test('the code mount is read-only', () => {
  assert.equal(code(() => dirs['/project'].openAt({}, 'src/mod.py', {}, WRITE)), 'access');
  assert.equal(code(() => dirs['/project'].openAt({}, 'new.py', { create: true }, WRITE)), 'access');
  assert.equal(code(() => dirs['/project'].unlinkFileAt('src/mod.py')), 'access');
  assert.ok(existsSync(join(root, 'src', 'mod.py')));
});

test('a read-only grant reads but refuses every write', () => {
  const d = dirs['/project/ro'];
  assert.equal(code(() => d.openAt({}, 'input.txt', {}, READ)), 'ok');
  assert.equal(code(() => d.openAt({}, 'input.txt', { truncate: true }, WRITE)), 'access');
  assert.equal(code(() => d.openAt({}, 'new.txt', { create: true }, WRITE)), 'access');
  assert.equal(code(() => d.createDirectoryAt('sub')), 'access');
  assert.equal(code(() => d.symlinkAt('input.txt', 'l')), 'access');
  assert.equal(code(() => d.unlinkFileAt('input.txt')), 'access');
  assert.equal(code(() => d.renameAt('input.txt', dirs['/project/rw'], 'moved.txt')), 'access');
  assert.equal(readFileSync(join(root, 'ro', 'input.txt'), 'utf8'), 'input');
  // A descriptor opened under the grant inherits it.
  const sub = dirs['/project'].openAt({}, 'ro', { directory: true }, READ);
  assert.equal(code(() => sub.openAt({}, 'input.txt', { truncate: true }, WRITE)), 'access');
});

test('a read-write grant writes inside', () => {
  const d = dirs['/project/rw'];
  assert.equal(code(() => d.openAt({}, 'out.txt', { create: true }, WRITE)), 'ok');
  assert.equal(code(() => d.createDirectoryAt('made')), 'ok');
  assert.equal(code(() => d.symlinkAt('out.txt', 'made/../ok-link')), 'ok');
  assert.ok(existsSync(join(root, 'rw', 'out.txt')));
});

test('links that lead out are not followed', () => {
  const d = dirs['/project/rw'];
  assert.equal(code(() => d.openAt({ symlinkFollow: true }, 'abs-link', {}, READ)), 'not-permitted');
  assert.equal(code(() => d.openAt({ symlinkFollow: true }, 'rel-link', {}, READ)), 'not-permitted');
  assert.equal(code(() => d.openAt({ symlinkFollow: true }, '../../' , { directory: true }, READ)), 'not-permitted');
});

test('a task cannot plant a link that leads out', () => {
  const d = dirs['/project/rw'];
  assert.equal(code(() => d.symlinkAt('/etc/passwd', 'planted')), 'not-permitted');
  assert.equal(code(() => d.symlinkAt('../../etc/passwd', 'planted')), 'not-permitted');
  assert.equal(code(() => d.symlinkAt('../src/mod.py', 'planted')), 'not-permitted');
  assert.equal(existsSync(join(root, 'rw', 'planted')), false);
  assert.throws(() => readlinkSync(join(root, 'rw', 'planted')));
});

test('symlinkStaysInside', () => {
  assert.equal(symlinkStaysInside('a/b', '../c'), true);
  assert.equal(symlinkStaysInside('a', '../c'), false);
  assert.equal(symlinkStaysInside('a/b', '/c'), false);
  assert.equal(symlinkStaysInside('a/b/c', '../../d'), true);
  assert.equal(symlinkStaysInside('a/b/c', '../../../d'), false);
});

test('two tasks sharing a writable grant cannot race a link swap past the check', async () => {
  const { Worker } = await import('node:worker_threads');
  const dir = mkdtempSync(join(tmpdir(), 'capsule-race-'));
  writeFileSync(join(dir, 'parked-file'), 'plain');
  // A link that already exists and leads out (left by the host, not by a task).
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'parked-link'));
  const lock = createFsLock();
  const run = (role: string, iterations: number) =>
    new Promise<{ leaks: number; reads: number }>((resolve, reject) => {
      const w = new Worker(new URL('../fixtures/security/fs-race-worker.mjs', import.meta.url), { workerData: { role, dir, iterations, lock } });
      w.once('message', resolve);
      w.once('error', reject);
    });
  const [, reader] = await Promise.all([run('swapper', 4000), run('reader', 4000)]);
  assert.ok(reader.reads > 0, 'the reader read the plain file at least once');
  assert.equal(reader.leaks, 0, `the reader saw the outside file ${reader.leaks} times out of ${reader.reads}`);
});
