// Isolation of configuration errors: running a task checks that task and the tasks it
// can call, not every task of its file. Through the engine and the real CLI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../runtime/src/engine/errors';
import type { Engine } from '../../runtime/src/engine/engine';
import { engineFor } from './helpers';

const SOURCE = `from capsule import task

@task(name="typo", compute="LOW", ram="64mo")
def typo():
    return 1

@task(name="main", compute="LOW")
def main():
    print("chatty ran")
    return 2

@task(name="caller", compute="LOW")
def caller():
    return helper()

def helper():
    return typo()

@task(name="direct", compute="LOW")
def direct():
    return  typo ()
`;

let dir: string;
let engine: Engine;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'capsule-isolation-'));
  writeFileSync(join(dir, 'tasks.py'), SOURCE);
  ({ engine } = await engineFor(dir));
});
after(async () => {
  await engine?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('a bad decorator on another task does not stop this one', async () => {
  const env = await engine.start({ file: 'tasks.py', taskName: 'main' }).result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.equal(env.result, 2);
});

test('the bad task itself, and a task that calls it, are refused with its problem', async () => {
  for (const name of ['typo', 'direct']) {
    await assert.rejects(engine.start({ file: 'tasks.py', taskName: name }).result, (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, /tasks\.py:3:\d+: task "typo": .*64mo/);
      return true;
    });
  }
});

test('the engine does not refuse a task for another task\'s bad decorator (the run starts)', async () => {
  const h = engine.start({ file: 'tasks.py', taskName: 'main' });
  const env = await h.result; // resolves: a ConfigError would reject
  assert.equal(typeof env.success, 'boolean');
});

test('a call through a plain helper is refused when it happens: the sub-task fails, not the caller up front', async () => {
  const env = await engine.start({ file: 'tasks.py', taskName: 'caller' }).result;
  assert.equal(env.success, false);
  assert.match(env.error?.message ?? '', /typo/);
});

test('the CLI runs main while another task of the file is broken, and still refuses the broken one', () => {
  const bin = resolve('bin/capsule.js');
  const ok = spawnSync(process.execPath, [bin, 'run', 'tasks.py'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /chatty ran/);
  writeFileSync(join(dir, 'broken.py'), SOURCE.replace('def main():\n', 'def main():\n    typo()\n'));
  const bad = spawnSync(process.execPath, [bin, 'run', 'broken.py'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /broken\.py:3:\d+: task "typo"/);
});
