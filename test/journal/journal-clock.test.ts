// Clock readings are journalled: time.time, time.monotonic, datetime.now (the sandbox's
// WASI clocks) made by a recorded run are given back, in order, to its replay and to a
// resumed run, so calls whose arguments hold a time match the journal instead of
// diverging. Real CLI, real sandbox; the recorded readings are compared with the trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capsule, project, runAndKill, sql } from './durable-helpers';
import { TaskClock } from '../../runtime/src/sandbox/wasi/task-clock';
import { resetMonotonicClock } from '../../runtime/src/sandbox/wasi/streams';

const STAMPS = `import time, datetime
from capsule import task

@task(name="stamp", compute="LOW")
def stamp(t):
    return t

@task(name="main", compute="MEDIUM")
def main():
    t1 = time.time()
    m1 = time.monotonic()
    now = datetime.datetime.now().isoformat()
    echoed = stamp(t1)
    time.sleep(0.05)
    return {"t1": t1, "m1": m1, "now": now, "echoed": echoed, "ns": time.time_ns(), "m2": time.monotonic_ns(), "perf": time.perf_counter()}
`;

test('a replay gives back the recorded clock readings: the same result, and a call whose argument is a time is replayed, not diverged', async () => {
  const p = project({ 'stamps.py': STAMPS });
  try {
    const a = await capsule(['run', 'stamps.py', '--json'], p.dir);
    assert.equal(a.code, 0, a.err);
    const recorded = JSON.parse(a.out).result;
    assert.equal(recorded.echoed, recorded.t1);
    // The readings are in the journal as the sandbox served them (ms since the epoch, ns since the start).
    const wall = JSON.parse(sql(p.dir, "SELECT reply FROM journal WHERE kind = 'clock' AND path = '#0.0'")).wall as number[];
    assert.ok(wall.includes(Math.round(recorded.t1 * 1000)), `time.time() ${recorded.t1} is among the recorded readings ${wall}`);

    await new Promise((r) => setTimeout(r, 50)); // the live clock moves on
    const b = await capsule(['run', 'stamps.py', '--json'], p.dir);
    assert.notEqual(JSON.parse(b.out).result.t1, recorded.t1, 'a new run reads the live clock');

    const [id] = sql(p.dir, 'SELECT id FROM instances WHERE parent_id IS NULL ORDER BY created_at, rowid').split('\n');
    const replay = await capsule(['replay', id!, '--json'], p.dir);
    assert.equal(replay.code, 0, replay.err + replay.out);
    const env = JSON.parse(replay.out);
    assert.deepEqual(env.result, recorded);
    assert.equal(env.execution.journal.replayed, 1);
    assert.equal(env.execution.journal.divergence, null);
  } finally {
    p.done();
  }
});

const SEQ = `import time
from capsule import task

@task(name="step", compute="LOW", allowed_files=["out"])
def step(i, at):
    with open("out/log.txt", "a") as f:
        f.write(f"{i}\\n")
    time.sleep(0.2)
    return [i, at]

@task(name="main", compute="MEDIUM", timeout="5m")
def main(n=12):
    seen = []
    for i in range(n):
        seen.append(time.monotonic())
        step(i, time.time())
    return {"monotonic": seen}
`;

test('a resumed run sees the killed run\'s clock readings: its time-stamped calls come from the journal; its clock never goes back', async () => {
  const p = project({ 'seq.py': SEQ });
  try {
    await runAndKill(p.dir, ['seq.py'], 7);
    const done = Number(sql(p.dir, "SELECT count(*) FROM journal WHERE kind = 'task' AND ok = 1"));
    assert.ok(done >= 5, `${done} sub-tasks completed before the kill`);
    const r = await capsule(['resume', '--json'], p.dir);
    assert.equal(r.code, 0, r.err + r.out);
    const env = JSON.parse(r.out);
    // Without the recorded readings, the first call's time argument would differ: a divergence at call 0.
    assert.equal(env.execution.journal.divergence, null);
    assert.equal(env.execution.journal.replayed, done);
    assert.equal(env.execution.journal.ran, 12 - done);
    const seen = env.result.monotonic as number[];
    assert.equal(seen.length, 12);
    assert.ok(seen.every((m, i) => i === 0 || m >= seen[i - 1]!), `monotonic readings go forward: ${seen}`);
    // Each completed sub-task ran once; only the one in flight at the kill may have run twice.
    const counts = new Map<number, number>();
    for (const i of readFileSync(join(p.dir, 'out', 'log.txt'), 'utf8').trim().split('\n').map(Number)) counts.set(i, (counts.get(i) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([i]) => i);
    assert.ok(twice.length === 0 || (twice.length === 1 && twice[0] === done), `ran twice: ${twice}`);
  } finally {
    p.done();
  }
});

test('TaskClock: recorded readings first, in order; then the live wall clock and a monotonic clock going on from the last recorded one', () => {
  resetMonotonicClock();
  const recorded = { wall: [1_000, 2_000], monotonic: [5_000_000_000, 6_000_000_000] };
  const clock = new TaskClock(recorded, true);
  assert.equal(clock.wallMs(), 1_000);
  assert.equal(clock.monotonicNs(), 5_000_000_000n);
  assert.equal(clock.wallMs(), 2_000);
  assert.equal(clock.monotonicNs(), 6_000_000_000n);
  const before = Date.now();
  assert.ok(clock.wallMs() >= before, 'past the recording: the live wall clock');
  const live = clock.monotonicNs();
  assert.ok(live >= 6_000_000_000n && live < 6_000_000_000n + 60_000_000_000n, `monotonic goes on from the last recorded reading (${live})`);
  // An instant on the task's clock maps onto the host's by the same offset.
  assert.ok(clock.toHost(live) < live);
  assert.deepEqual(clock.drain()?.wall.slice(0, 2), [1_000, 2_000], 'served readings are noted too (the new run\'s journal has them)');
  assert.equal(clock.drain(), null);
});

test('TaskClock: goLive stops giving back recordings; a clock that does not note keeps nothing; at most the cap is noted', () => {
  const clock = new TaskClock({ wall: [1_000, 2_000], monotonic: [] }, true);
  assert.equal(clock.wallMs(), 1_000);
  clock.goLive();
  assert.notEqual(clock.wallMs(), 2_000);
  const quiet = new TaskClock(null, false);
  quiet.wallMs();
  assert.equal(quiet.drain(), null);
  const busy = new TaskClock(null, true);
  for (let i = 0; i < 10_005; i++) busy.monotonicNs();
  assert.equal(busy.drain()!.monotonic.length, 10_000);
});
