// The client's runner against the real engine and the real sandbox (no vscode needed):
// lifecycle into the model, lines into the output, results out, cancel.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../runtime/src/engine/index';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { RunStore } from '../../client/src/runs/model';
import { Runner, type FinishedRun } from '../../client/src/runs/runner';
import { poll } from '../poll';

describe('Runner with the real engine', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'capsule-runner-'));
  const lines: string[] = [];
  const finished: FinishedRun[] = [];
  const notRun: string[] = [];
  const store = new RunStore();
  let engine: Engine;
  let runner: Runner;

  before(async () => {
    cpSync('test/e2e/fixtures/workspace', root, { recursive: true });
    mkdirSync(join(root, 'examples'));
    cpSync('examples/hello.py', join(root, 'examples/hello.py'));
    engine = await Engine.create({ projectRoot: root, sandbox: new SandboxPool() });
    let created = 0;
    runner = new Runner({
      engineFor: async () => { created++; assert.equal(created <= 10, true); return engine; },
      store,
      output: { appendLine: (l) => lines.push(l) },
      onFinished: (r) => finished.push(r),
      onNotRun: (_req, message) => notRun.push(message),
    });
  });
  after(async () => {
    await engine?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  test('a run streams its lifecycle and result, and the model ends completed', async () => {
    const { instanceId, finished: done } = await runner.start({ file: join(root, 'examples/hello.py'), taskName: 'main' });
    const run = await done;
    assert.equal(run.envelope.state, 'completed');
    assert.equal(run.envelope.result, 'Hello from Capsule!');
    const info = store.get(instanceId)!;
    assert.equal(info.state, 'completed');
    assert.ok((info.fuelConsumed ?? 0) > 0);
    const mine = lines.filter((l) => l.includes(instanceId.replace(/[^A-Za-z0-9]/g, '').slice(-6)));
    assert.ok(mine.some((l) => / created main\(\) \(/.test(l)), mine.join('\n'));
    assert.ok(mine.some((l) => / running attempt 1$/.test(l)));
    assert.ok(mine.some((l) => / completed in /.test(l)));
    assert.ok(mine.some((l) => l.endsWith('result: "Hello from Capsule!"')));
    assert.deepEqual(runner.lastRequest, { file: join(root, 'examples/hello.py'), taskName: 'main' });
    assert.equal(finished.at(-1)?.instanceId, instanceId);
  });

  test('a failing task ends failed with its error in the model and in the output', async () => {
    const { instanceId, finished: done } = await runner.start({ file: join(root, 'failing.py'), taskName: 'failing' });
    const run = await done;
    assert.equal(run.envelope.state, 'failed');
    assert.equal(store.get(instanceId)?.error?.errorType, 'task_error');
    assert.match(store.get(instanceId)?.error?.message ?? '', /fails on purpose/);
    assert.ok(lines.some((l) => / failed: ValueError: this task fails on purpose/.test(l)), lines.join('\n'));
    // The raising line as a frame whose absolute path:line the output turns into a link.
    assert.ok(lines.some((l) => l.endsWith(`   at failing (${join(root, 'failing.py')}:11)`)), lines.join('\n'));
    assert.ok(lines.some((l) => l.endsWith(`   at check (${join(root, 'failing.py')}:6)`)), lines.join('\n'));
    // The finished run knows its project, so frames map to files.
    assert.equal(run.projectRoot?.replace(/\/$/, ''), root);
  });

  test('cancel ends a long task interrupted, and only running runs can be cancelled', async () => {
    const { instanceId, finished: done } = await runner.start({ file: join(root, 'slow.py'), taskName: 'slow' });
    await poll('the slow task to run', () => store.get(instanceId)?.state === 'running');
    assert.equal(runner.runningCount, 1);
    assert.equal(runner.cancel(instanceId), true);
    const run = await done;
    assert.equal(run.envelope.state, 'interrupted');
    assert.equal(store.get(instanceId)?.state, 'interrupted');
    assert.equal(runner.cancel(instanceId), false);
    assert.equal(runner.runningCount, 0);
  });

  test('a task that does not exist is refused at start with the tasks that do', async () => {
    const refused = /no task named "nope".*"main"/;
    // The engine may refuse at once or just after; either way it is said, and nothing runs.
    await assert.rejects(async () => (await runner.start({ file: join(root, 'examples/hello.py'), taskName: 'nope' })).finished, refused);
    assert.equal(runner.runningCount, 0);
    assert.ok(lines.some((l) => l.startsWith('[capsule] nope did not run:') && refused.test(l)));
    assert.match(notRun.at(-1) ?? '', refused);
  });
});
