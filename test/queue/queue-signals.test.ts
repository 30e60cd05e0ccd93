// Signals on a queue run: Ctrl-C on the submitter cancels the whole tree (running
// sandboxes on the workers are stopped, waiting jobs removed); SIGTERM on a worker lets
// its running task finish within the grace, or hands it back past the grace (the task
// runs again on another worker, as a retry with its reason). Workers print heartbeats.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { poll } from '../poll';
import { redisMissing, sqlite, startRun, useQueue } from './harness';

const TASKS = `import asyncio
import time
from capsule import task


@task(name="sleeper", compute="LOW", ram="64MB")
async def sleeper(s: float) -> float:
    time.sleep(s)
    return s


@task(name="main", compute="HIGH", ram="128MB", timeout="300s")
async def main(n: int, s: float) -> float:
    return sum(await asyncio.gather(*(sleeper(s) for _ in range(n))))


@task(name="nap", compute="LOW", ram="64MB", timeout="300s")
def nap(s: float) -> str:
    time.sleep(s)
    return "rested"
`;

const skip = redisMissing();

describe('signals on a queue run', { skip: skip ?? false }, () => {
  const q = useQueue({ 'tasks.py': TASKS });
  const { project } = q;
  const db = join(project.dir, '.capsule', 'trace.db');

  test('Ctrl-C on the submitter cancels the whole tree: no job is left running or waiting', async () => {
    const workers = await Promise.all([0, 1].map(() => q.startWorker({ args: ['--concurrency', '2'] })));
    const queues = [0, 1].map((d) => new Queue(`tasks-d${d}`, { connection: { host: '127.0.0.1', port: q.redis.port }, prefix: 'capsule' }));
    try {
      const run = startRun(['tasks.py', '--queue', q.redis.url, '--', '10', '600'], project.dir);
      await poll('sub-tasks running on the workers', () => Number(sqlite(db, "SELECT count(*) FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.task = 'sleeper' AND a.state = 'running' AND a.worker IS NOT NULL")) >= 2, 120_000, 100);
      run.proc.kill('SIGINT');
      const done = await run.done;
      assert.equal(done.code, 1, done.err);
      assert.match(done.err, /^■ main interrupted/m);
      let last: unknown;
      const idle = async () => {
        const counts = await Promise.all(queues.map((q) => q.getJobCounts('active', 'waiting', 'delayed')));
        last = counts;
        return counts.every((c) => (c.active ?? 0) + (c.waiting ?? 0) + (c.delayed ?? 0) === 0);
      };
      await poll(() => `no active or waiting job (now ${JSON.stringify(last)})`, idle, 60_000, 200);
      assert.equal(sqlite(db, "SELECT DISTINCT state FROM instances WHERE task IN ('main', 'sleeper') AND state != 'completed'"), 'interrupted');
      await poll('the workers to report nothing running', () => workers.every((w) => /: 0 running, \d+ completed, \d+ failed, 0 handed back\n(?![\s\S]*running, )/.test(w.out().split('heartbeat').pop() ?? '')), 60_000, 200);
    } finally {
      await Promise.all(queues.map((q) => q.close()));
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  test('a submitter killed outright: the worker stops its running job once the submitter\'s mark expires', async () => {
    const w = await q.startWorker();
    const queue = new Queue('tasks-d0', { connection: { host: '127.0.0.1', port: q.redis.port }, prefix: 'capsule' });
    try {
      const run = startRun(['tasks.py', '--task', 'nap', '--queue', q.redis.url, '--', '600'], project.dir);
      await poll('nap running on the worker', () => sqlite(db, `SELECT count(*) FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.task = 'nap' AND a.state = 'running' AND a.worker = '${w.id}'`) === '1', 120_000, 50);
      run.proc.kill('SIGKILL');
      await run.done;
      await poll(() => `the worker to stop the orphaned job (its output: ${w.out()})`, () => /stopped job \S+: its submitter \S+ is gone/.test(w.out()), 120_000, 200);
      await poll('no active job', async () => (await queue.getJobCounts('active')).active === 0, 60_000, 200);
    } finally {
      await queue.close();
      await w.stop();
    }
  });

  test('SIGTERM on a worker lets its running task finish; it prints heartbeats, then stops', async () => {
    const w = await q.startWorker({ args: ['--grace', '120'] });
    const run = startRun(['tasks.py', '--task', 'nap', '--json', '--queue', q.redis.url, '--', '3'], project.dir);
    await poll('nap running on the worker', () => sqlite(db, `SELECT count(*) FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.task = 'nap' AND a.state = 'running' AND a.worker = '${w.id}'`) === '1', 120_000, 50);
    const exit = w.stop('SIGTERM');
    const done = await run.done;
    assert.equal(done.code, 0, done.err);
    assert.equal(JSON.parse(done.out).result, 'rested');
    assert.equal(JSON.parse(done.out).execution.retries, 0);
    assert.equal(await exit, 0, w.out());
    assert.match(w.out(), /SIGTERM: taking no new tasks; 1 running get 120 s to finish, then are handed back/);
    assert.match(w.out(), /stopped: 0 running, 1 completed, 0 failed, 0 handed back/);
    assert.match(w.out(), /heartbeat \d{4}-\d\d-\d\dT[\d:.]+Z: \d+ running, \d+ completed/);
  });

  test('SIGTERM past the grace hands the running task back; it runs again on another worker', async () => {
    const a = await q.startWorker({ args: ['--grace', '1'] });
    const b = await q.startWorker({ args: ['--grace', '1'] });
    try {
      const run = startRun(['tasks.py', '--task', 'nap', '--json', '--queue', q.redis.url, '--', '6'], project.dir);
      const rootId = await poll('nap placed on a worker', () => sqlite(db, "SELECT a.instance_id || '|' || a.worker FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.task = 'nap' AND a.state = 'running' AND a.worker IS NOT NULL ORDER BY a.started_at DESC LIMIT 1") || undefined, 120_000, 50);
      const [instance, first] = rootId.split('|');
      const victim = first === a.id ? a : b;
      const other = victim === a ? b : a;
      assert.equal(await victim.stop('SIGTERM'), 0, victim.out());
      assert.match(victim.out(), /stopped: 0 running, 0 completed, 0 failed, 1 handed back/);
      const done = await run.done;
      assert.equal(done.code, 0, done.err);
      assert.equal(JSON.parse(done.out).result, 'rested');
      const attempts = sqlite(db, `SELECT attempt || '|' || state || '|' || worker || '|' || coalesce(message, '') FROM attempts WHERE instance_id = '${instance}' ORDER BY attempt`).split('\n');
      assert.equal(attempts.length, 2, attempts.join('\n'));
      assert.match(attempts[0]!, new RegExp(`^0\\|failed\\|${victim.id}\\|worker ${victim.id} stopped \\(SIGTERM\\) before the task ended and handed it back$`));
      assert.equal(attempts[1], `1|completed|${other.id}|`);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
