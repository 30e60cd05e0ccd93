// A job forged straight into Redis gets no more than the task's decorator in the shipped
// code grants: the worker reads the decorator itself, and refuses (permission_denied,
// before anything runs) a job whose claimed environment, file grants or limits differ.
// An honest job written the same way runs, so the refusals are the checks, not the harness.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { capsuleRun, redisMissing, useQueue } from './harness';

const TASK = `import os
from capsule import task


@task(name="main", compute="LOW", ram="64MB", env_variables=["GREETING"])
def main() -> str:
    return os.environ.get("GREETING", "") + "|" + os.environ.get("SECRET", "no secret")
`;

const skip = redisMissing();

describe('rights are checked on the worker', { skip: skip ?? false }, () => {
  let client: Redis;
  let sub: Redis;
  let queue: Queue;
  const q = useQueue({ 'greet.py': TASK, '.env': 'GREETING=hi\nSECRET=s3cret\n', 'secrets/key.txt': 'k' }, { workers: 1 });
  const { project } = q;

  before(() => {
    client = new Redis(q.redis.port, '127.0.0.1');
    sub = new Redis(q.redis.port, '127.0.0.1');
    queue = new Queue('tasks-d0', { connection: { host: '127.0.0.1', port: q.redis.port }, prefix: 'capsule' });
  });
  q.whenDone(async () => {
    await queue?.close();
    sub?.disconnect();
    client?.disconnect();
  });

  /** Adds a job with these data straight into the queue; resolves with the outcome the worker publishes. */
  async function forge(data: Record<string, unknown>): Promise<{ ok: boolean; resultJson?: string; error?: { type: string; message: string }; fuelConsumed: number }> {
    const jobId = randomUUID();
    const channel = `capsule:up:${jobId}`;
    await sub.subscribe(channel);
    const outcome = new Promise<any>((resolve) => {
      sub.on('message', (ch: string, text: string) => {
        const m = JSON.parse(text);
        if (ch === channel && m.t === 'done') resolve(m.outcome);
      });
    });
    await queue.add('task', data, { jobId, removeOnComplete: true });
    return outcome;
  }

  test('a forged job claiming an undeclared variable, a grant or more fuel is refused; an honest one runs', async () => {
    // A real run stores the code (by content hash) and shows what the task returns.
    const real = await capsuleRun(['greet.py', '--json', '--queue', q.redis.url], project.dir);
    assert.equal(real.code, 0, real.err);
    assert.equal(JSON.parse(real.out).result, 'hi|no secret');
    const codes = await client.keys('capsule:code:*');
    // The forger poses as a live submitter (workers stop the jobs of one that is gone).
    await client.set('capsule:alive:forger', '1');
    assert.equal(codes.length, 1);
    const honest = {
      v: 1,
      code: codes[0]!.slice('capsule:code:'.length),
      file: 'greet.py',
      task: 'main',
      argsJson: '{"args":[],"kwargs":{}}',
      env: { GREETING: 'hi' },
      claims: { fuel: 100_000_000, memoryLimitBytes: 64 * 1024 * 1024, grants: [] },
      depth: 0,
      submitter: 'forger',
    };
    const ok = await forge(honest);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.resultJson, '"hi|no secret"');

    const stolen = await forge({ ...honest, env: { GREETING: 'hi', SECRET: 's3cret' } });
    assert.equal(stolen.ok, false);
    assert.equal(stolen.error?.type, 'permission_denied');
    assert.match(stolen.error!.message, /the job claims the environment variable SECRET, which task "main" of greet\.py does not grant \(env_variables: GREETING\)/);
    assert.equal(stolen.fuelConsumed, 0);

    const granted = await forge({ ...honest, claims: { ...honest.claims, grants: [{ path: 'secrets', readOnly: false }] } });
    assert.equal(granted.error?.type, 'permission_denied');
    assert.match(granted.error!.message, /the job claims the file grants \[secrets:rw\], but task "main" of greet\.py grants \[\]/);

    const fuel = await forge({ ...honest, claims: { ...honest.claims, fuel: 50_000_000_000 } });
    assert.equal(fuel.error?.type, 'permission_denied');
    assert.match(fuel.error!.message, /the job claims fuel 50000000000, but task "main" of greet\.py has 100000000/);

    const unlimited = await forge({ ...honest, claims: { ...honest.claims, fuel: null, memoryLimitBytes: 4 * 1024 ** 3 } });
    assert.equal(unlimited.error?.type, 'permission_denied');

    const outside = await forge({ ...honest, file: '../etc/passwd.py' });
    assert.equal(outside.error?.type, 'permission_denied');
    assert.match(outside.error!.message, /not a Python file of the project/);

    const malformed = await forge({ ...honest, claims: undefined });
    assert.equal(malformed.error?.type, 'permission_denied');
    assert.match(malformed.error!.message, /the job's data is malformed \(claims/);
  });
});
