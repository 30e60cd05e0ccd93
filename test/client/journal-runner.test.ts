// Replay from the editor's side, against the real engine and sandbox (no vscode
// needed): the runner passes the journal request on, replayed sub-tasks are marked
// in the live model and in history loaded from the trace, and the outcome check
// the notification uses says the replay reproduced the run.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../runtime/src/engine/index';
import { sameOutcome } from '../../runtime/src/journal/same-outcome';
import { RunStore } from '../../client/src/runs/model';
import { runsFromHistory } from '../../client/src/runs/history';
import { Runner } from '../../client/src/runs/runner';
import { runLabel } from '../../client/src/views/run-presentation';

const TASKS = `from capsule import task

@task(name="sq", compute="LOW")
def sq(i):
    return i * i

@task(name="main", compute="MEDIUM")
def main(n=3):
    return [sq(i) for i in range(n)]
`;

test('a replay started by the runner answers sub-tasks from the journal, and both views mark them replayed', { timeout: 120_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'capsule-replay-runner-'));
  writeFileSync(join(root, 'tasks.py'), TASKS);
  const engine = await Engine.create({ projectRoot: root });
  const store = new RunStore();
  const runner = new Runner({ engineFor: async () => engine, store, output: { appendLine: () => {} } });
  try {
    const file = join(root, 'tasks.py');
    const first = await runner.start({ file, taskName: 'main', args: [3] });
    const recorded = await first.finished;
    assert.equal(recorded.envelope.success, true);

    const replay = await runner.start({ file, taskName: 'main', args: [3], from: { runId: first.instanceId, mode: 'replay' } });
    const done = await replay.finished;
    assert.deepEqual(done.envelope.execution.journal, { mode: 'replay', source_run: first.instanceId, replayed: 3, ran: 0, divergence: null, stopped: false });
    const original = store.get(first.instanceId)!;
    assert.equal(sameOutcome({ state: original.state, resultJson: original.resultJson ?? null, errorType: null }, done.envelope), true);

    const live = store.get(replay.instanceId)!.children.map((id) => store.get(id)!);
    assert.deepEqual(live.map((r) => [runLabel(r), r.state]), [['sq(0) (replayed)', 'completed'], ['sq(1) (replayed)', 'completed'], ['sq(2) (replayed)', 'completed']]);
    assert.ok(store.get(first.instanceId)!.children.every((id) => !store.get(id)!.replayed));

    const fromTrace = runsFromHistory(await engine.history({ limit: 5 }));
    const replayedRows = fromTrace.filter((r) => r.runId === replay.instanceId && r.parentId);
    assert.equal(replayedRows.length, 3);
    assert.ok(replayedRows.every((r) => r.replayed && runLabel(r).endsWith('(replayed)')));
    assert.ok(fromTrace.filter((r) => r.runId === first.instanceId).every((r) => !r.replayed));
  } finally {
    await engine.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});
