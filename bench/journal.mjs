// Journal benchmark (durable runs): what recording costs on a fan-out of 100
// sub-tasks (journal on vs off, interleaved, same engine settings), and how long a
// resume takes when the recorded run completed 1,000 sub-tasks (all answered from
// the journal; the root runs again in a fresh sandbox).
// Run alone with `node bench/journal.mjs`, or from bench/run.mjs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

const FAN = `import asyncio
from capsule import task

@task(name="part", compute="LOW", timeout="60s")
async def part(i):
    return {"i": i, "sq": i * i}

@task(name="main", compute="HIGH", timeout="30m")
async def main(n=100):
    parts = await asyncio.gather(*(part(i) for i in range(n)))
    return sum(p["sq"] for p in parts)
`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export default async function journalBench({ rounds = 5, fanout = 100, resumeCount = 1000, log = console.log } = {}) {
  const { Engine } = await tsImport('../runtime/src/engine/index.ts', import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-journal-'));
  writeFileSync(join(dir, 'fan.py'), FAN);
  const on = await Engine.create({ projectRoot: dir });
  const off = await Engine.create({ projectRoot: dir, journal: false });
  try {
    const timed = async (engine, args, from) => {
      const t0 = performance.now();
      const env = await engine.start({ file: 'fan.py', args, ...(from ? { from } : {}) }).result;
      if (!env.success) throw new Error(`bench run failed: ${JSON.stringify(env.error)}`);
      return { ms: performance.now() - t0, env };
    };
    await timed(on, [fanout]);
    await timed(off, [fanout]);
    const withJournal = [];
    const without = [];
    for (let i = 0; i < rounds; i++) {
      withJournal.push((await timed(on, [fanout])).ms);
      without.push((await timed(off, [fanout])).ms);
    }
    const ratio = median(withJournal) / median(without);

    log(`  journal: recording a run of ${resumeCount} sub-tasks...`);
    const recorded = on.start({ file: 'fan.py', args: [resumeCount] });
    const first = await recorded.result;
    if (!first.success) throw new Error(`bench run failed: ${JSON.stringify(first.error)}`);
    const resumes = [];
    let replayed = 0;
    for (let i = 0; i < 3; i++) {
      const { ms, env } = await timed(on, [resumeCount], { runId: recorded.instanceId, mode: 'resume' });
      resumes.push(ms);
      replayed = env.execution.journal.replayed;
    }
    return {
      title: `journal: recording cost and resume time (real sandbox, trace on)`,
      rows: [
        { metric: `fan-out of ${fanout}, journal on (median of ${rounds})`, value: round(median(withJournal)), unit: 'ms' },
        { metric: `fan-out of ${fanout}, journal off (median of ${rounds})`, value: round(median(without)), unit: 'ms' },
        { metric: 'journal on / off', value: round(ratio, 3), unit: 'x', goal: '<= 1.10', met: ratio <= 1.1 ? 'yes' : 'NO' },
        { metric: `first run of ${resumeCount} sub-tasks`, value: round(first.execution.duration_ms / 1000, 2), unit: 's' },
        { metric: `resume of it (${replayed} calls from the journal, median of 3)`, value: round(median(resumes) / 1000, 2), unit: 's', goal: '< 2 s', met: median(resumes) < 2000 ? 'yes' : 'NO' },
      ],
      notes: [`runs interleaved on/off in one process; the resume includes starting the root in a fresh sandbox and reading the journal`],
    };
  } finally {
    await on.dispose();
    await off.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows, title, notes } = await journalBench();
  console.log(title);
  console.table(rows);
  for (const n of notes) console.log(`- ${n}`);
}
