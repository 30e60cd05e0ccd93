// Engine benchmark: 1,000 small tasks in a row in one process, through the real
// sandbox and the trace. Reports time per task and host RSS growth (goal: <= 20 MB).
// Run alone with `node bench/engine.mjs [count]`, or from bench/run.mjs.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tsImport } from 'tsx/esm/api';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const mb = (n) => Math.round((n / 1024 / 1024) * 10) / 10;

/** RSS once garbage is gone: sandbox workers collect after 100 ms idle (worker.ts), this thread now. */
async function settle() {
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().rss;
}

/** @returns {Promise<Array<{ title: string, rows: object[], notes: string[] }>>} */
export default async function engineBench({ count = 1000, warmup = 100, fanout = 100, log = console.log } = {}) {
  const { Engine } = await tsImport('../runtime/src/engine/index.ts', import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-'));
  cpSync(new URL('../examples', import.meta.url).pathname, dir, { recursive: true, filter: (s) => !s.includes('.capsule') });
  const engine = await Engine.create({ projectRoot: dir });
  try {
    const once = async () => {
      const env = await engine.start({ file: 'hello.py' }).result;
      if (!env.success) throw new Error(`bench task failed: ${JSON.stringify(env.error)}`);
    };
    for (let i = 0; i < warmup; i++) await once();
    const rssBefore = await settle();
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      await once();
      if ((i + 1) % 250 === 0) log(`  engine: ${i + 1}/${count} tasks, rss ${mb(process.memoryUsage().rss)} MB`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const rssAfter = await settle();
    const growth = mb(rssAfter - rssBefore);
    const sequential = {
      title: `engine: ${count} tasks in a row (examples/hello.py, real sandbox, trace on)`,
      rows: [
        { metric: `${count} tasks in a row`, value: Math.round(seconds * 10) / 10, unit: 's' },
        { metric: 'per task (start to envelope)', value: Math.round(((seconds * 1000) / count) * 10) / 10, unit: 'ms' },
        { metric: 'host RSS growth', value: growth, unit: 'MB', goal: '<= 20 MB', met: growth <= 20 ? 'yes' : 'NO' },
        { metric: 'host RSS after', value: mb(rssAfter), unit: 'MB' },
      ],
      notes: [`RSS measured after ${warmup} warm-up tasks and after the run, each once idle workers have collected (300 ms) and after 3 forced GCs`],
    };
    return [sequential, await fanOut(engine, fanout, log)];
  } finally {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * examples/fan_out.py: one async task awaiting `n` sub-tasks with asyncio.gather.
 * The first fan-out in a process also pays for V8 optimising the code paths it
 * is the first to run (asyncio, the sub-task calls); a long-lived host (the
 * extension) pays that once, so the goal is checked on the runs after it.
 */
async function fanOut(engine, n, log, runs = 3) {
  const rssBefore = await settle();
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const times = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      const env = await engine.start({ file: 'fan_out.py', args: [n] }).result;
      times.push((performance.now() - t0) / 1000);
      if (!env.success) throw new Error(`fan-out failed: ${JSON.stringify(env.error)}`);
    }
  } finally {
    clearInterval(sampler);
  }
  const [first, ...rest] = times;
  const seconds = [...rest].sort((a, b) => a - b)[Math.floor(rest.length / 2)];
  const growth = mb(peak - rssBefore);
  log(`  engine: fan-out of ${n}: first ${first.toFixed(2)} s, then ${rest.map((t) => t.toFixed(2)).join(', ')} s; peak RSS growth ${growth} MB`);
  const round = (x) => Math.round(x * 100) / 100;
  return {
    title: `engine: fan-out of ${n} parallel sub-tasks (examples/fan_out.py, asyncio.gather)`,
    rows: [
      { metric: `${n} sub-tasks, total (median of the ${runs} runs after the first)`, value: round(seconds), unit: 's', goal: '<= 1.5 s', met: seconds <= 1.5 ? 'yes' : 'NO' },
      { metric: `${n} sub-tasks, total, the first fan-out of the process`, value: round(first), unit: 's' },
      { metric: 'host RSS growth (peak over all runs)', value: growth, unit: 'MB', goal: '<= 300 MB', met: growth <= 300 ? 'yes' : 'NO' },
    ],
    notes: [`sub-task sandboxes per nesting level: at most max(4, 2 x cores) at once (Engine maxConcurrentSubtasks; ${availableParallelism()} cores here)`],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 1000);
  const fanout = Number(process.argv[3] ?? 100);
  engineBench({ count, fanout }).then((r) => console.log(JSON.stringify(r, null, 2)), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
