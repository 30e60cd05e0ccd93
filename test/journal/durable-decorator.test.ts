// @task(durable=True) on a run's root: the next run of the same task and arguments
// resumes an interrupted run from its journal, once; durable=False on the root turns
// capsule.toml's [workflow] durable off for that task. Real engine, real sandbox
// (the SDK in its snapshot has the durable parameter).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../runtime/src/engine/engine';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { poll } from '../poll';

let pool: SandboxPool;

before(() => {
  pool = new SandboxPool({ spares: 1 });
});
after(async () => {
  await pool?.dispose();
});

const source = (durable: string) => `import time
from capsule import task

@task(name="step", compute="HIGH", allowed_files=["out"])
def step(i):
    with open("out/log.txt", "a") as f:
        f.write(f"{i}\\n")
    time.sleep(0.3)
    return i * i

@task(name="main", compute="HIGH", timeout="5m"${durable})
def main(n):
    return sum(step(i) for i in range(n))
`;

function project(files: Record<string, string>): { dir: string; log(): number[]; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-durable-deco-'));
  mkdirSync(join(dir, 'out'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const log = join(dir, 'out', 'log.txt');
  return { dir, log: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map(Number) : []), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts main(n), cancels it once `lines` sub-tasks have started: the run ends interrupted. */
async function interrupted(engine: Engine, p: ReturnType<typeof project>, n: number, lines: number): Promise<void> {
  const h = engine.start({ file: 'flow.py', taskName: 'main', args: [n] });
  await poll(`${lines} sub-tasks started`, () => p.log().length >= lines, 180_000);
  h.cancel();
  assert.equal((await h.result).state, 'interrupted');
}

test('@task(durable=True) on the root: the next run with the same arguments resumes the interrupted one, once', async () => {
  const p = project({ 'flow.py': source(', durable=True') });
  const engine = await Engine.create({ projectRoot: p.dir, sandbox: pool });
  try {
    await interrupted(engine, p, 4, 2);
    const other = await engine.start({ file: 'flow.py', taskName: 'main', args: [2] }).result;
    assert.equal(other.execution.journal, undefined, 'other arguments: a fresh run');
    const before = p.log().length;
    const resumed = await engine.start({ file: 'flow.py', taskName: 'main', args: [4] }).result;
    assert.equal(resumed.state, 'completed', JSON.stringify(resumed.error));
    assert.equal(resumed.result, 0 + 1 + 4 + 9);
    assert.equal(resumed.execution.journal?.mode, 'resume');
    const replayed = resumed.execution.journal!.replayed;
    assert.ok(replayed >= 1, `the sub-tasks done before the cancel came from the journal (${replayed})`);
    assert.equal(resumed.execution.journal!.ran, 4 - replayed);
    assert.equal(p.log().length - before, 4 - replayed, 'only the sub-tasks not in the journal ran again');
    const again = await engine.start({ file: 'flow.py', taskName: 'main', args: [4] }).result;
    assert.equal(again.execution.journal, undefined, 'a run resumed once is not resumed again');
  } finally {
    await engine.dispose();
    p.done();
  }
});

test('durable=False on the root overrides [workflow] durable = true', async () => {
  const p = project({ 'flow.py': source(', durable=False'), 'capsule.toml': '[workflow]\ndurable = true\n' });
  const engine = await Engine.create({ projectRoot: p.dir, sandbox: pool });
  try {
    await interrupted(engine, p, 3, 2);
    const fresh = await engine.start({ file: 'flow.py', taskName: 'main', args: [3] }).result;
    assert.equal(fresh.state, 'completed', JSON.stringify(fresh.error));
    assert.equal(fresh.execution.journal, undefined, 'durable=False: a fresh run');
  } finally {
    await engine.dispose();
    p.done();
  }
});
