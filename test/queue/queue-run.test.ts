// `capsule run --queue`: the root runs on a worker in another directory (the code is
// shipped through Redis), output streams back, and the result and --json envelope are
// a local run's; bad addresses are clear errors; a local run never loads the queue code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, capsuleRun, literal, comparable, sameFuel, redisMissing, sqlite, useQueue } from './harness';

const TASKS = `import asyncio
from capsule import task


@task(name="square", compute="LOW", ram="64MB")
def square(x: int) -> int:
    return x * x


@task(name="main", compute="MEDIUM", ram="128MB", timeout="60s")
def main(n: int = 4) -> dict:
    print("working on", n)
    return {"big": 2 ** 70, "float": 3.0, "squares": [square(i) for i in range(n)]}
`;

const skip = redisMissing();

describe('capsule run --queue', { skip: skip ?? false }, () => {
  const q = useQueue({ 'tasks.py': TASKS }, { workers: 1 });
  const { project } = q;

  test('the same file gives the same --json envelope locally and on a worker, whose directory lacks the file', async () => {
    assert.equal(existsSync(join(project.dir, 'tasks.py')), true);
    // Twice each: the first run of a file compiles its bytecode (on either side), which costs fuel.
    await capsuleRun(['tasks.py', '--json', '--', '3'], project.dir);
    const local = await capsuleRun(['tasks.py', '--json', '--', '3'], project.dir);
    await capsuleRun(['tasks.py', '--json', '--queue', q.redis.url, '--', '3'], project.dir);
    const queued = await capsuleRun(['tasks.py', '--json', '--queue', q.redis.url, '--', '3'], project.dir);
    assert.equal(local.code, 0, local.err);
    assert.equal(queued.code, 0, queued.err);
    assert.deepEqual(comparable(queued.out), comparable(local.out));
    assert.ok(sameFuel(queued.out, local.out), `fuel: ${queued.out} vs ${local.out}`);
    assert.match(queued.out, /"big": 1180591620717411303424,\n\s+"float": 3\.0,/);
    // The task's output streamed back (with --json it goes to stderr).
    assert.match(queued.err, /^working on 3$/m);
    // The trace is the submitter's, and says which worker ran each attempt.
    const db = join(project.dir, '.capsule', 'trace.db');
    const workers = sqlite(db, "SELECT DISTINCT worker FROM attempts WHERE worker IS NOT NULL").split('\n');
    assert.deepEqual(workers, [q.worker.id]);
    assert.equal(sqlite(db, "SELECT count(*) FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.task = 'square' AND a.worker IS NOT NULL"), '6');
    // capsule history shows the distributed run like a local one, with where it ran.
    const history = spawnSync(process.execPath, [BIN, 'history', '--limit', '1'], { cwd: project.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(history.status, 0, history.stderr);
    const [root, ...children] = history.stdout.trim().split('\n');
    assert.match(root!, new RegExp(` main tasks\\.py completed · .* · on worker ${literal(q.worker.id)} · sub-tasks on 1 worker$`));
    assert.equal(children.length, 3);
    for (const c of children) assert.match(c, new RegExp(`└ .* square tasks\\.py completed · .* · on worker ${literal(q.worker.id)}$`));
  });

  test('the plain output and exit code of a failing task match a local run', async () => {
    writeFileSync(join(project.dir, 'fails.py'), 'from capsule import task\n\n@task(name="main", compute="LOW")\ndef main():\n    print("about to fail")\n    raise ValueError("no good")\n');
    const local = await capsuleRun(['fails.py'], project.dir);
    const queued = await capsuleRun(['fails.py', '--queue', q.redis.url], project.dir);
    assert.equal(local.code, 1);
    assert.equal(queued.code, 1);
    assert.equal(queued.out, local.out);
    const strip = (t: string) => t.replace(/ in [\d.]+ m?s/, '').replace(/fuel [\d.]+[KMB]?/, 'fuel');
    assert.equal(strip(queued.err), strip(local.err));
    assert.match(queued.err, /ValueError: no good/);
  });

  test('CAPSULE_QUEUE and capsule.toml [queue] url send the run to the queue; --local runs here', async () => {
    const db = join(project.dir, '.capsule', 'trace.db');
    const onWorker = () => Number(sqlite(db, 'SELECT count(*) FROM attempts WHERE worker IS NOT NULL'));
    const before0 = onWorker();
    const viaEnv = await capsuleRun(['tasks.py', '--', '1'], project.dir, { CAPSULE_QUEUE: q.redis.url });
    assert.equal(viaEnv.code, 0, viaEnv.err);
    assert.equal(onWorker(), before0 + 2);
    writeFileSync(join(project.dir, 'capsule.toml'), `[queue]\nurl = "${q.redis.url}"\n`);
    try {
      const viaToml = await capsuleRun(['tasks.py', '--', '1'], project.dir);
      assert.equal(viaToml.code, 0, viaToml.err);
      assert.equal(onWorker(), before0 + 4);
      const local = await capsuleRun(['tasks.py', '--local', '--', '1'], project.dir);
      assert.equal(local.code, 0, local.err);
      assert.equal(onWorker(), before0 + 4);
    } finally {
      writeFileSync(join(project.dir, 'capsule.toml'), '');
    }
  });

  test('a bad queue URL and an unreachable Redis are exit 2 with a clear message', async () => {
    const bad = await capsuleRun(['tasks.py', '--queue', 'http://127.0.0.1:1'], project.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--queue "http:\/\/127\.0\.0\.1:1": the scheme is "http", not redis; expected redis:\/\/HOST:PORT\[\/DB\]/);
    const db = await capsuleRun(['tasks.py', '--queue', 'redis://127.0.0.1:6379/99'], project.dir);
    assert.equal(db.code, 2);
    assert.match(db.err, /database 99 is past 15/);
    // A port nothing listens on (the Redis above, on another port, is up).
    const closed = await capsuleRun(['tasks.py', '--queue', `redis://127.0.0.1:${q.redis.port === 1 ? 2 : 1}`], project.dir);
    assert.equal(closed.code, 2);
    assert.match(closed.err, /cannot reach the queue's Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(.*ECONNREFUSED.*\); is redis-server running there/);
    writeFileSync(join(project.dir, 'capsule.toml'), '[queue]\nurl = "redis://h:99999"\n');
    try {
      const toml = await capsuleRun(['tasks.py'], project.dir);
      assert.equal(toml.code, 2);
      assert.match(toml.err, /capsule\.toml:2:7: queue\.url "redis:\/\/h:99999": it is not a URL/);
    } finally {
      writeFileSync(join(project.dir, 'capsule.toml'), '');
    }
  });
});

test('a local capsule run never loads the queue bundle (BullMQ, ioredis)', () => {
  const hook = 'process.on("exit", () => process.stderr.write("loaded:" + Object.keys(require.cache).filter((f) => /queue\\.js$|bullmq|ioredis/.test(f)).join(",") + "\\n"));';
  const r = spawnSync(process.execPath, ['-e', `${hook} process.argv.splice(1, 0, "capsule"); require(${JSON.stringify(join(process.cwd(), 'bin/capsule.js'))})`, 'run', 'examples/hello.py'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'Hello from Capsule!\n');
  assert.match(r.stderr, /^loaded:$/m);
});
