import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTaskEnv, loadDotEnv } from '../../runtime/src/capabilities/env';
import { grantToMount, parseMountFlag } from '../../runtime/src/capabilities/files';
import { GUEST_PROJECT } from '../../runtime/src/sandbox/types';
import { tempDir } from '../temp-dir';

function project(): string {
  const root = tempDir('capsule-caps-');
  mkdirSync(join(root, 'data'));
  mkdirSync(join(root, 'data', 'sub'));
  writeFileSync(join(root, 'data', 'file.txt'), 'x');
  writeFileSync(join(root, '.env'), 'FROM_DOTENV=dot\nSHARED=dot\n');
  symlinkSync('/etc', join(root, 'etc-link'));
  symlinkSync('data', join(root, 'data-link'));
  return root;
}

test('env: only the named variables, .env first, host wins', () => {
  const root = project();
  const { env, missing } = buildTaskEnv(['FROM_DOTENV', 'SHARED', 'HOST_ONLY', 'NOPE'], loadDotEnv(root).values, { SHARED: 'host', HOST_ONLY: 'h', SECRET: 's' });
  assert.deepEqual(env, { FROM_DOTENV: 'dot', SHARED: 'host', HOST_ONLY: 'h' });
  assert.deepEqual(missing, ['NOPE']);
});

test('env: no grant, empty environment', () => {
  assert.deepEqual(buildTaskEnv([], loadDotEnv(project()).values, { PATH: '/bin', HOME: '/root' }), { env: {}, missing: [] });
});

test('files: a relative directory grant becomes a mount under the guest root', () => {
  const root = project();
  const m = grantToMount(root, { path: 'data/sub', mode: 'read-only' });
  assert.equal(m.guestPath, `${GUEST_PROJECT}/data/sub`);
  assert.equal(m.readOnly, true);
  assert.equal(grantToMount(root, { path: './data', mode: 'read-write' }).readOnly, false);
});

test('files: grants that escape or are not directories are refused, each with its reason', () => {
  const root = project();
  assert.throws(() => grantToMount(root, { path: '/etc', mode: 'read-only' }), /"\/etc" is absolute/);
  assert.throws(() => grantToMount(root, { path: '../', mode: 'read-only' }), /is outside the project/);
  assert.throws(() => grantToMount(root, { path: 'data/../../x', mode: 'read-only' }), /is outside the project/);
  assert.throws(() => grantToMount(root, { path: 'etc-link', mode: 'read-only' }), /leads outside the project through a symbolic link/);
  assert.throws(() => grantToMount(root, { path: 'missing', mode: 'read-only' }), /does not exist/);
  assert.throws(() => grantToMount(root, { path: 'data/file.txt', mode: 'read-only' }), /is a file; grants are directories/);
  // A link that stays inside is fine; the mount points at the real directory.
  assert.equal(grantToMount(root, { path: 'data-link', mode: 'read-only' }).hostPath, join(root, 'data'));
});

test('files: --mount HOST::GUEST[:ro]', () => {
  const root = project();
  assert.deepEqual(parseMountFlag('data::/data:ro', root), { hostPath: join(root, 'data'), guestPath: '/data', readOnly: true });
  assert.equal(parseMountFlag('data::/data', root).readOnly, false);
  assert.throws(() => parseMountFlag('data:/data', root), /expected HOST::GUEST\[:ro\]/);
  assert.throws(() => parseMountFlag('nope::/data', root), /does not exist/);
});
