// Sub-tasks as jobs over several worker processes standing in for machines: a fan-out
// of 200 gives a local run's result with every worker taking part, and a worker killed
// with SIGKILL mid-run loses nothing: BullMQ's stalled-job check fails its jobs, the
// submitter runs those attempts again elsewhere (a retry with its reason), and every
// sub-task completes exactly once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { poll } from '../poll';
import { capsuleRun, comparable, redisMissing, sqlite, startRun, stopProcess, useQueue } from './harness';

const FAN_OUT = `import asyncio
import time
from capsule import task


@task(name="leaf", compute="LOW", ram="64MB")
async def leaf(i: int, pause: float) -> int:
    if pause:
        time.sleep(pause)
    return (i * 7919) % 1009


@task(name="main", compute="HIGH", ram="256MB", timeout="900s")
async def main(n: int, pause: float = 0) -> dict:
    values = await asyncio.gather(*(leaf(i, pause) for i in range(n)))
    return {"count": len(values), "sum": sum(values), "max": max(values)}
`;

const skip = redisMissing();
const LOCK_MS = '4000';

describe('sub-tasks on several workers', { skip: skip ?? false }, () => {
  const q = useQueue({ 'fan.py': FAN_OUT }, { workers: 3, worker: { args: ['--concurrency', '2'], env: { CAPSULE_QUEUE_LOCK_MS: LOCK_MS } } });
  const { project, workers } = q;
  const db = join(project.dir, '.capsule', 'trace.db');

  test('a fan-out of 200 sub-tasks over 3 workers gives the local result, and each worker ran some', async () => {
    const local = await capsuleRun(['fan.py', '--json', '--', '200'], project.dir);
    assert.equal(local.code, 0, local.err);
    const queued = await capsuleRun(['fan.py', '--json', '--queue', q.redis.url, '--', '200'], project.dir);
    assert.equal(queued.code, 0, queued.err);
    assert.deepEqual(JSON.parse(queued.out).result, JSON.parse(local.out).result);
    // A gathering root's fuel and memory depend on how its sub-tasks' results arrive (one
    // task.wait per batch), which differs from run to run: the rest of the envelope is equal.
    const shape = (t: string) => { const e = comparable(t) as { execution: Record<string, unknown> }; delete e.execution.ram_used; return e; };
    assert.deepEqual(shape(queued.out), shape(local.out));
    const run = sqlite(db, "SELECT id FROM instances WHERE task = 'main' AND parent_id IS NULL ORDER BY created_at DESC LIMIT 1");
    const perWorker = sqlite(db, `SELECT a.worker, count(*) FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.run_id = '${run}' AND i.task = 'leaf' AND a.state = 'completed' GROUP BY a.worker`)
      .split('\n').map((l) => l.split('|'));
    assert.deepEqual(perWorker.map(([w]) => w).sort(), workers.map((w) => w.id).sort(), `leaves per worker: ${JSON.stringify(perWorker)}`);
    assert.equal(perWorker.reduce((n, [, c]) => n + Number(c), 0), 200);
  });

  test('a worker killed with SIGKILL mid-run: the run completes, every sub-task completed exactly once', async () => {
    const n = 60;
    const expected = await capsuleRun(['fan.py', '--json', '--', String(n), '0'], project.dir);
    assert.equal(expected.code, 0, expected.err);
    const submitted = startRun(['fan.py', '--json', '--queue', q.redis.url, '--', String(n), '1'], project.dir);
    const run = await poll('the queued run to start', () => sqlite(db, "SELECT id FROM instances WHERE task = 'main' AND state = 'running' AND parent_id IS NULL ORDER BY created_at DESC LIMIT 1") || undefined, 120_000, 100);
    const rootWorker = await poll('the root to be placed', () => sqlite(db, `SELECT worker FROM attempts WHERE instance_id = '${run}' AND worker IS NOT NULL`) || undefined, 60_000, 100);
    // A worker other than the root's, while it runs sub-tasks of this run.
    const victimId = await poll('a sub-task running on another worker than the root\'s', () =>
      sqlite(db, `SELECT a.worker FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.run_id = '${run}' AND i.task = 'leaf' AND a.state = 'running' AND a.worker IS NOT NULL AND a.worker != '${rootWorker}' LIMIT 1`) || undefined, 120_000, 50);
    const victim = workers.find((w) => w.id === victimId);
    assert.ok(victim, `the worker ${victimId} is not one of ${workers.map((w) => w.id).join(', ')}`);
    await stopProcess(victim.proc, 'SIGKILL');
    const done = await submitted.done;
    assert.equal(done.code, 0, done.err);
    assert.deepEqual(JSON.parse(done.out).result, JSON.parse(expected.out).result);
    const leaves = sqlite(db, `SELECT count(*) FROM instances WHERE run_id = '${run}' AND task = 'leaf'`);
    assert.equal(leaves, String(n));
    const completedPerLeaf = sqlite(db, `SELECT DISTINCT c FROM (SELECT (SELECT count(*) FROM attempts a WHERE a.instance_id = i.id AND a.state = 'completed') AS c FROM instances i WHERE i.run_id = '${run}' AND i.task = 'leaf')`);
    assert.equal(completedPerLeaf, '1', 'each sub-task has exactly one completed attempt');
    assert.equal(sqlite(db, `SELECT DISTINCT state FROM instances WHERE run_id = '${run}'`), 'completed');
    // What the victim was running became retry attempts, with the reason, and ran again on a live worker.
    const lost = sqlite(db, `SELECT a.worker || '|' || a.message FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.run_id = '${run}' AND a.state = 'failed'`).split('\n').filter(Boolean);
    assert.ok(lost.length >= 1, 'at least one attempt was lost with the victim');
    for (const l of lost) assert.match(l, new RegExp(`^${victimId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\|the worker running the task was lost \\(BullMQ failed the job: .*stalled.*\\); it runs again on another worker$`));
    const rerun = sqlite(db, `SELECT DISTINCT a.worker FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.run_id = '${run}' AND a.attempt > 0 AND a.state = 'completed'`).split('\n');
    assert.ok(!rerun.includes(victimId) && rerun.length >= 1, `re-run on ${rerun.join(', ')}`);
  });
});
