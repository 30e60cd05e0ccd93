// The CLI's launcher (runtime/src/cli/launcher.ts, dist/cli.js) runs the bundle from a
// V8 code cache in the user's cache directory: made by the first run, used as is by the
// next ones, made again when V8 refuses it, never made when turned off.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../temp-dir';

const BIN = resolve('bin/capsule.js');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

function version(cacheHome: string, env: Record<string, string> = {}): void {
  const r = spawnSync(process.execPath, [BIN, '--version'], { env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...env }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), pkg.version);
}

const cacheFiles = (home: string): string[] => {
  try {
    return readdirSync(join(home, 'capsule', 'code-cache')).filter((n) => n.endsWith('.v8'));
  } catch {
    return [];
  }
};

describe('cli: the code cache', () => {
  it('is made by the first run and used, unchanged, by the next', () => {
    const home = tempDir('capsule-cc-');
    version(home);
    const [name, ...more] = cacheFiles(home);
    assert.ok(name, 'no cache was made');
    assert.deepEqual(more, []);
    const file = join(home, 'capsule', 'code-cache', name);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const before = statSync(file);
    version(home);
    const after = statSync(file);
    assert.equal(after.ino, before.ino, 'V8 refused the cache, so it was made again');
    assert.equal(after.mtimeMs, before.mtimeMs);
  });

  it('one V8 refuses (damaged) does not stop the run, and is made again', () => {
    const home = tempDir('capsule-cc-');
    version(home);
    const file = join(home, 'capsule', 'code-cache', cacheFiles(home)[0]!);
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad.fill(0x5a, 0, 64); // the header V8 checks: magic, version and source hashes
    writeFileSync(file, bad);
    version(home);
    const remade = readFileSync(file);
    assert.notDeepEqual(remade.subarray(0, 64), bad.subarray(0, 64), 'the damaged cache was kept');
  });

  it('keeps the four newest caches', () => {
    const home = tempDir('capsule-cc-');
    const dir = join(home, 'capsule', 'code-cache');
    version(home);
    for (let i = 0; i < 5; i++) {
      const f = join(dir, `cli-${String(i).repeat(32)}.v8`);
      writeFileSync(f, 'old');
      utimesSync(f, 1000 + i, 1000 + i);
    }
    version(home, { CAPSULE_TEST_FLAG: 'x' }); // the environment is no part of the key: uses the cache
    assert.equal(cacheFiles(home).length, 6);
    // Another set of node flags is another cache: writing it prunes the oldest.
    const r = spawnSync(process.execPath, ['--stack-size=984', BIN, '--version'], { env: { ...process.env, XDG_CACHE_HOME: home }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(cacheFiles(home).sort(), cacheFiles(home).filter((n) => !/^cli-[0-2]{32}\.v8$/.test(n)).sort());
    assert.equal(cacheFiles(home).length, 4);
  });

  it('CAPSULE_CODE_CACHE=0 makes none', () => {
    const home = tempDir('capsule-cc-');
    version(home, { CAPSULE_CODE_CACHE: '0' });
    assert.deepEqual(cacheFiles(home), []);
  });
});
