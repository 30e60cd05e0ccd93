// Redis restarting mid-run (here without persistence, so it comes back empty): every
// connection reconnects; the submitter finds its job gone, says so, stores the code
// again and runs the attempt anew, so the run completes (a retry with its reason).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { poll } from '../poll';
import { redisMissing, sqlite, startRun, useQueue } from './harness';

const TASK = `import time
from capsule import task


@task(name="nap", compute="LOW", ram="64MB", timeout="300s")
def nap(s: float) -> str:
    time.sleep(s)
    return "rested"
`;

const skip = redisMissing();

describe('Redis restarting mid-run', { skip: skip ?? false }, () => {
  const q = useQueue({ 'nap.py': TASK }, { workers: 1 });
  const { project } = q;
  const db = join(project.dir, '.capsule', 'trace.db');

  test('the run is survived: the lost job runs again once Redis is back', async () => {
    const run = startRun(['nap.py', '--task', 'nap', '--json', '--queue', q.redis.url, '--', '4'], project.dir);
    const instance = await poll('nap running on the worker', () => sqlite(db, "SELECT a.instance_id FROM attempts a JOIN instances i ON i.id = a.instance_id WHERE i.task = 'nap' AND a.state = 'running' AND a.worker IS NOT NULL") || undefined, 120_000, 50);
    await q.redis.restart();
    const done = await run.done;
    assert.equal(done.code, 0, `${done.out}\n${done.err}\n--- worker:\n${q.worker.out()}`);
    assert.equal(JSON.parse(done.out).result, 'rested');
    assert.match(done.err, /the queue's Redis no longer has the job of an attempt in flight \(it restarted\?\); the attempt runs again/);
    const attempts = sqlite(db, `SELECT attempt || '|' || state || '|' || coalesce(message, '') FROM attempts WHERE instance_id = '${instance}' ORDER BY attempt`).split('\n');
    assert.match(attempts[0]!, /^0\|failed\|the queue lost the job of this attempt \(Redis restarted without its data\); it runs again$/);
    assert.equal(attempts.at(-1), `${attempts.length - 1}|completed|`);
  });
});
