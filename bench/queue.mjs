// Queue benchmark (issue 21): throughput of 1,000 short tasks (sub-tasks of one root)
// on 1, 2 and 4 `capsule worker` processes against a local run, and what a queue adds
// to one task's run (the engine in this process, warm, median). Needs redis-server;
// starts its own on a free loopback port. Run alone: `node bench/queue.mjs`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const BIN = fileURLToPath(new URL('../bin/capsule.js', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;
const TASKS = `import asyncio
from capsule import task


@task(name="leaf", compute="LOW", ram="64MB")
async def leaf(i: int) -> int:
    return i * 2


@task(name="main", compute="HIGH", ram="256MB", timeout="3600s")
async def main(n: int) -> int:
    return sum(await asyncio.gather(*(leaf(i) for i in range(n))))


@task(name="one", compute="LOW", ram="64MB")
def one() -> int:
    return 1
`;

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

async function waitFor(what, probe, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startWorker(url) {
  const cwd = mkdtempSync(join(tmpdir(), 'capsule-bench-worker-'));
  const proc = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '2', '--cache-dir', join(cwd, 'cache'), '--heartbeat', '3600'], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  await waitFor('a worker', () => /taking tasks from/.test(out));
  return { stop: () => new Promise((r) => { proc.once('exit', () => { rmSync(cwd, { recursive: true, force: true }); r(); }); proc.kill('SIGTERM'); }) };
}

export default async function queueBench({ n = 1000, single = 20 } = {}) {
  if (spawnSync('redis-server', ['--version']).status !== 0) return { title: 'queue: skipped (redis-server is not installed)', rows: [] };
  const { Engine } = await tsImport('../runtime/src/engine/engine.ts', import.meta.url);
  const { QueuePool } = await tsImport('../runtime/src/queue/queue-pool.ts', import.meta.url);
  const { parseQueueUrl } = await tsImport('../runtime/src/queue/url.ts', import.meta.url);
  const port = await freePort();
  const redisDir = mkdtempSync(join(tmpdir(), 'capsule-bench-redis-'));
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: 'ignore' });
  await waitFor('redis-server', () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG');
  const url = parseQueueUrl(`redis://127.0.0.1:${port}/0`);
  const project = mkdtempSync(join(tmpdir(), 'capsule-bench-queue-'));
  writeFileSync(join(project, 'fan.py'), TASKS);
  const rows = [];
  const loads = [];
  const workers = [];
  try {
    const engineOn = (sandbox) => new Engine({ projectRoot: project, tracePath: null, ...(sandbox ? { sandbox, maxConcurrentSubtasks: 256 } : {}) });
    const fanOut = async (engine) => {
      const t0 = performance.now();
      const env = await engine.start({ file: 'fan.py', taskName: 'main', args: [n] }).result;
      if (!env.success || String(env.result) !== String(n * (n - 1))) throw new Error(`fan-out: ${JSON.stringify(env.error)}`);
      return n / ((performance.now() - t0) / 1000);
    };
    const oneTask = async (engine) => {
      for (let i = 0; i < 3; i++) await engine.start({ file: 'fan.py', taskName: 'one' }).result;
      const times = [];
      for (let i = 0; i < single; i++) {
        const t0 = performance.now();
        const env = await engine.start({ file: 'fan.py', taskName: 'one' }).result;
        if (!env.success) throw new Error(`one: ${JSON.stringify(env.error)}`);
        times.push(performance.now() - t0);
      }
      return median(times);
    };
    const local = engineOn(null);
    const localOne = await oneTask(local);
    await fanOut(local); // warm: bytecode and import snapshot
    loads.push(loadavg()[0]);
    rows.push({ metric: `${n} sub-tasks, local run (this process's pool)`, value: round(await fanOut(local)), unit: 'tasks/s' });
    await local.dispose();

    const pool = await QueuePool.connect({ url });
    const queued = engineOn(pool);
    workers.push(await startWorker(url.shown));
    const queueOne = await oneTask(queued);
    for (const count of [1, 2, 4]) {
      while (workers.length < count) workers.push(await startWorker(url.shown));
      await fanOut(queued); // warm: every worker writes the code and compiles it
      loads.push(loadavg()[0]);
      rows.push({ metric: `${n} sub-tasks on ${count} worker process${count > 1 ? 'es' : ''} (--concurrency 2 each)`, value: round(await fanOut(queued)), unit: 'tasks/s' });
    }
    await queued.dispose();
    await pool.dispose();
    rows.push({ metric: `one task, local (engine in process, warm, median of ${single})`, value: round(localOne), unit: 'ms' });
    rows.push({ metric: `one task on the queue, 1 worker (same, median of ${single})`, value: round(queueOne), unit: 'ms' });
    rows.push({ metric: 'added by the queue for one task', value: round(queueOne - localOne), unit: 'ms', goal: '< 50 ms', met: queueOne - localOne < 50 ? 'yes' : 'NO' });
    return {
      title: 'queue: BullMQ on Redis, worker processes on this machine',
      rows,
      notes: [`load average (1 min) while measuring: ${loads.map((l) => l.toFixed(1)).join(', ')} on ${(await import('node:os')).availableParallelism()} cores: worker processes share them with the submitter and Redis`],
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    redis.kill('SIGTERM');
    rmSync(project, { recursive: true, force: true });
    await new Promise((r) => redis.once('exit', r));
    rmSync(redisDir, { recursive: true, force: true });
  }
}
