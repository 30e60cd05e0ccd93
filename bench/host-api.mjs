// Host API benchmark: Session.run("1+1") latency, runCode("1+1") latency on a warm pool (in process, and through
// `capsule serve --stdio` as the Python client uses it), and calls per second with 4
// in flight. Run alone with `node bench/host-api.mjs`, or from bench/run.mjs.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

async function serveLatency(n) {
  const bin = fileURLToPath(new URL('../bin/capsule.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line);
    waiting.get(msg.id)?.(msg);
  });
  const call = (id, code) => new Promise((res) => {
    waiting.set(id, res);
    child.stdin.write(`${JSON.stringify({ id, method: 'runCode', params: { code, compute: 'LOW' } })}\n`);
  });
  const times = [];
  for (let i = 0; i < n + 3; i++) {
    const t0 = performance.now();
    const r = await call(i, '1+1');
    if (r.result?.result !== 2) throw new Error(`serve: ${JSON.stringify(r)}`);
    if (i >= 3) times.push(performance.now() - t0);
  }
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  return median(times);
}

export default async function hostApiBench({ n = 30 } = {}) {
  const { createSandboxPool } = await tsImport('../runtime/src/api/index.ts', import.meta.url);
  const pool = createSandboxPool();
  try {
    for (let i = 0; i < 3; i++) await pool.runCode('1+1');
    const times = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await pool.runCode('1+1');
      times.push(performance.now() - t0);
    }
    const total = 40;
    const t0 = performance.now();
    let next = 0;
    const lane = async () => { while (next++ < total) await pool.runCode('1+1'); };
    await Promise.all([lane(), lane(), lane(), lane()]);
    const perSecond = total / ((performance.now() - t0) / 1000);
    const viaServe = await serveLatency(n);
    const session = pool.session({ compute: 'HIGH' });
    await session.run('x = 0');
    const sessionTimes = [];
    for (let i = 0; i < n; i++) {
      const t1 = performance.now();
      await session.run('1+1');
      sessionTimes.push(performance.now() - t1);
    }
    await session.close();
    return {
      title: 'host API: runCode on a warm pool',
      rows: [
        { metric: `Session.run("1+1"), warm (median of ${n})`, value: round(median(sessionTimes)), unit: 'ms', goal: '< 10 ms', met: median(sessionTimes) < 10 ? 'yes' : 'NO' },
        { metric: `runCode("1+1"), in process (median of ${n})`, value: round(median(times)), unit: 'ms' },
        { metric: `runCode("1+1") through capsule serve --stdio (median of ${n})`, value: round(viaServe), unit: 'ms' },
        { metric: 'runCode calls per second, 4 in flight', value: round(perSecond), unit: '/s' },
      ],
      notes: ['runCode: each call is a fresh sandbox instance and a throwaway project (a cell file, its config checked); a Session keeps one interpreter'],
    };
  } finally {
    await pool.dispose();
  }
}
