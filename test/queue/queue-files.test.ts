// allowed_files on a queue run: the path must exist on the worker (under its files root,
// or mapped with --mount PATH=DIR); the task reads the worker's directory, never the
// submitter's; a missing one is refused on the worker with a message saying what to do.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, capsuleRun, redisMissing, useQueue } from './harness';

const TASK = `from capsule import task


@task(name="main", compute="LOW", ram="64MB", allowed_files=[{"path": "data", "mode": "read-only"}])
def main() -> str:
    with open("data/note.txt") as f:
        return f.read()
`;

const skip = redisMissing();

describe('allowed_files on a queue run', { skip: skip ?? false }, () => {
  const q = useQueue({ 'reader.py': TASK, 'data/note.txt': 'from the submitter' });
  const { project } = q;
  const empty = mkdtempSync(join(tmpdir(), 'capsule-worker-files-'));
  const mapped = mkdtempSync(join(tmpdir(), 'capsule-worker-mapped-'));
  writeFileSync(join(mapped, 'note.txt'), "from the worker's own directory");

  after(() => {
    rmSync(empty, { recursive: true, force: true });
    rmSync(mapped, { recursive: true, force: true });
  });

  /** A worker whose files root lacks data/ refuses the grant on its side, naming itself and the path, before any fuel is used. */
  async function refusedOnBareWorker(file: string, filesRoot: string): Promise<void> {
    const bare = await q.startWorker({ args: ['--files-root', filesRoot] });
    try {
      const r = await capsuleRun([file, '--json', '--queue', q.redis.url], project.dir);
      assert.equal(r.code, 1, r.err);
      const env = JSON.parse(r.out);
      assert.equal(env.error.error_type, 'permission_denied');
      assert.match(env.error.message, new RegExp(`allowed_files "data" of task "main" does not exist on worker ${bare.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(looked for ${join(filesRoot, 'data')}\\); on a queue run, allowed_files must name a directory that exists on every worker: .*--mount data=DIR`));
      assert.equal(env.execution.fuel_consumed, 0);
    } finally {
      await bare.stop();
    }
  }

  /** With --mount data=DIR the same worker reads its own directory. */
  async function readsMountedDirectory(file: string, filesRoot: string): Promise<void> {
    const withMount = await q.startWorker({ args: ['--files-root', filesRoot, '--mount', `data=${mapped}`] });
    try {
      const r = await capsuleRun([file, '--json', '--queue', q.redis.url], project.dir);
      assert.equal(r.code, 0, r.err);
      assert.equal(JSON.parse(r.out).result, "from the worker's own directory");
    } finally {
      await withMount.stop();
    }
  }

  test('a grant missing on the worker is refused there, saying so; mapped with --mount, the task reads the worker\'s files', async () => {
    await refusedOnBareWorker('reader.py', empty);
    await readsMountedDirectory('reader.py', empty);
    // Under the worker's files root (its current directory by default).
    mkdirSync(join(empty, 'data'));
    writeFileSync(join(empty, 'data', 'note.txt'), "from the worker's files root");
    const rooted = await q.startWorker({ cwd: empty });
    try {
      const r = await capsuleRun(['reader.py', '--json', '--queue', q.redis.url], project.dir);
      assert.equal(r.code, 0, r.err);
      assert.equal(JSON.parse(r.out).result, "from the worker's files root");
    } finally {
      await rooted.stop();
    }
  });

  test('capsule.toml\'s default_allowed_files follows the same rule: checked on the worker, not in its code cache; --mount maps it', async () => {
    writeFileSync(join(project.dir, 'plain.py'), 'from capsule import task\n\n\n@task(name="main", compute="LOW", ram="64MB")\ndef main() -> str:\n    with open("data/note.txt") as f:\n        return f.read()\n');
    writeFileSync(join(project.dir, 'capsule.toml'), '[tasks]\ndefault_allowed_files = ["data"]\n');
    const bareRoot = mkdtempSync(join(tmpdir(), 'capsule-worker-files-'));
    try {
      // Locally the default grant reads the project's directory.
      const here = await capsuleRun(['plain.py', '--json', '--local'], project.dir);
      assert.equal(JSON.parse(here.out).result, 'from the submitter', here.err);
      await refusedOnBareWorker('plain.py', bareRoot);
      await readsMountedDirectory('plain.py', bareRoot);
    } finally {
      writeFileSync(join(project.dir, 'capsule.toml'), '');
      rmSync(bareRoot, { recursive: true, force: true });
    }
  });

  test('capsule run --mount with a queue is a usage error (a worker cannot see this machine)', async () => {
    const r = await capsuleRun(['reader.py', '--queue', q.redis.url, '--mount', `${project.dir}/data::/data`], project.dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /--mount names a directory of this machine, which queue workers cannot see; map directories on each worker instead \(capsule worker --mount PATH=DIR\)/);
  });

  test('capsule worker: bad flags are exit 2 naming the flag', async () => {
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'worker', ...args], { encoding: 'utf8', env: { ...process.env, CAPSULE_QUEUE: '' }, timeout: 30_000 });
    assert.match(run([]).stderr, /capsule worker: give the queue to take tasks from: --queue redis:\/\/HOST:PORT\[\/DB\]/);
    assert.match(run(['--queue', q.redis.url, '--concurrency', '0']).stderr, /--concurrency must be a whole number from 1 to 256/);
    assert.match(run(['--queue', q.redis.url, '--mount', 'data']).stderr, /--mount "data": expected PATH=DIR/);
    assert.match(run(['--queue', q.redis.url, '--mount', `../x=${empty}`]).stderr, /PATH must be a folder inside the project/);
    assert.match(run(['--queue', q.redis.url, '--files-root', join(empty, 'nope')]).stderr, /--files-root .*: no such directory/);
    const unreachable = run(['--queue', 'redis://127.0.0.1:1']);
    assert.equal(unreachable.status, 2);
    assert.match(unreachable.stderr, /capsule worker: cannot reach the queue's Redis at redis:\/\/127\.0\.0\.1:1\/0/);
  });
});
