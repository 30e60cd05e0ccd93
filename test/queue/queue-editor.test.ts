// The editor's "Run on queue" path without the editor: the client's Runner and model with
// the engine client/src/queue-engine.ts opens for capsule.queue.url (the extension's own
// code), a real Redis and real `capsule worker` processes. The run completes with the local
// result, its attempts name the workers that ran them (live, from the trace, in the details
// page), and a bad setting is an error naming it.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Engine } from '../../runtime/src/engine/index';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import type { EngineApi } from '../../runtime/src/engine/types';
import type { SandboxPoolLike } from '../../runtime/src/engine/sandbox-port';
import { openQueueEngine } from '../../client/src/queue-engine';
import { renderDetails } from '../../client/src/details/html';
import { runsFromHistory } from '../../client/src/runs/history';
import { RunStore } from '../../client/src/runs/model';
import { Runner } from '../../client/src/runs/runner';
import { runLook } from '../../client/src/views/run-presentation';
import { freePort, redisMissing, useQueue } from './harness';

const skip = redisMissing();
const PAGE = { nonce: 'bm9uY2U=', cspSource: 'https://webview.test', scriptUri: 'https://webview.test/d.js', styleUri: 'https://webview.test/d.css' };

describe('Run on queue from the editor\'s runner', { skip: skip ?? false, timeout: 300_000 }, () => {
  const q = useQueue({}, { workers: 2 });
  const { project, workers } = q;
  const open: { engine: EngineApi; sandbox: SandboxPoolLike }[] = [];
  const warnings: string[] = [];
  const store = new RunStore();
  let queued: Promise<EngineApi> | undefined;
  let local: Engine | undefined;
  let runner: Runner;

  before(async () => {
    cpSync('test/e2e/fixtures/workspace', project.dir, { recursive: true });
    mkdirSync(join(project.dir, 'examples'));
    cpSync('examples/hello.py', join(project.dir, 'examples/hello.py'));
    runner = new Runner({
      engineFor: async (_file, onQueue) => {
        if (!onQueue) return (local ??= await Engine.create({ projectRoot: project.dir, sandbox: new SandboxPool() }));
        queued ??= openQueueEngine(q.redis.url, { projectRoot: project.dir, maxConcurrent: 4, keepRuns: 200, warn: (m) => warnings.push(m) }).then((o) => { open.push(o); return o.engine; });
        return queued;
      },
      store,
      output: { appendLine: () => undefined },
    });
  });

  q.whenDone(async () => {
    for (const o of open) { await o.engine.dispose(); await o.sandbox.dispose(); }
    await local?.dispose();
  });

  test('a queued run completes with the local result; every attempt names the worker that ran it, live and from the trace', async () => {
    const file = join(project.dir, 'fanout.py');
    const onQueue = await (await runner.start({ file, taskName: 'fanout', onQueue: true })).finished;
    const here = await (await runner.start({ file, taskName: 'fanout' })).finished;
    assert.equal(onQueue.envelope.state, 'completed', JSON.stringify(onQueue.envelope.error));
    assert.deepEqual(onQueue.envelope.result, here.envelope.result);
    const ids = new Set(workers.map((w) => w.id));
    const root = store.get(onQueue.instanceId)!;
    const kids = store.childRuns(root.id);
    assert.equal(kids.length, 5);
    for (const r of [root, ...kids]) {
      assert.equal(r.attempts.length, 1);
      assert.ok(ids.has(r.attempts[0]!.worker ?? ''), `${r.taskName}: worker ${r.attempts[0]!.worker} is one of ${[...ids]}`);
    }
    assert.match(runLook(root).description, new RegExp(` · on ${root.attempts[0]!.worker!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    // The local run names no worker.
    assert.equal(store.get(here.instanceId)!.attempts[0]!.worker, undefined);
    // The trace the editor reads at start has the same workers.
    const history = runsFromHistory(await (await queued!).history({ limit: 10 }));
    const fromTrace = history.find((r) => r.id === root.id)!;
    assert.equal(fromTrace.attempts[0]!.worker, root.attempts[0]!.worker);
    assert.deepEqual(history.filter((r) => r.parentId === root.id).map((r) => r.attempts[0]!.worker).sort(), kids.map((k) => k.attempts[0]!.worker).sort());
    // The details page names it.
    const page = renderDetails({ run: fromTrace, get: (id) => history.find((r) => r.id === id) }, PAGE);
    assert.ok(page.includes(`<td class="worker">${root.attempts[0]!.worker}</td>`), 'the attempts table has the worker');
    assert.deepEqual(warnings, []);
  });

  test('a bad or unreachable capsule.queue.url is an error naming the setting, and nothing runs', async () => {
    const o = { projectRoot: project.dir, maxConcurrent: 4, keepRuns: 200, warn: () => undefined };
    await assert.rejects(openQueueEngine('', o), /^Error: the setting capsule\.queue\.url is empty: set it to the queue's redis:\/\/HOST:PORT\[\/DB\]/);
    await assert.rejects(openQueueEngine('http://127.0.0.1:6379', o), /^Error: the setting capsule\.queue\.url "http:\/\/127\.0\.0\.1:6379": the scheme is "http", not redis; expected redis:\/\/HOST:PORT\[\/DB\]/);
    let port = await freePort();
    if (port === q.redis.port) port = await freePort();
    await assert.rejects(openQueueEngine(`redis://127.0.0.1:${port}/0`, o), new RegExp(`cannot reach the queue's Redis at redis://127\\.0\\.0\\.1:${port}/0 \\(.*ECONNREFUSED.*\\).*\\(the setting capsule\\.queue\\.url\\)$`));
  });
});
