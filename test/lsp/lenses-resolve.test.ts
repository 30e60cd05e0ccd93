// Lenses resolved on demand (initializationOptions `lenses: "resolve"`, as the extension
// asks): one lens per task without commands, and codeLens/resolve gives the same commands a
// server without the option puts in its lenses, for the task the lens is on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { FIXTURE, startServer, uriOf, type TestServer } from './client';

const TEXT = `from capsule import task

@task(name="fetch", compute="LOW", ram="512mb")
def fetch_data(url):
    return url

@task(timeout=30, colour="red")
def broken(): pass

if __name__ == "__main__":
    @task
    def hidden(): pass

@task(name="twice")
def first(): pass

@task(name="twice", compute="HIGH")
def second(): pass
`;
const uri = uriOf(join(FIXTURE, 'lenses-resolve.py'));
let lazy: TestServer;
let full: TestServer;

before(async () => {
  [lazy, full] = await Promise.all([startServer(FIXTURE, { lenses: 'resolve' }), startServer(FIXTURE)]);
  await Promise.all([lazy.open(uri, TEXT, 1), full.open(uri, TEXT, 1)]);
  await Promise.all([lazy.diagnosticsFor(uri, 1), full.diagnosticsFor(uri, 1)]);
});
after(async () => {
  await Promise.all([lazy?.stop(), full?.stop()]);
});

const lensesOf = async (s: TestServer) => (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];

test('the server offers codeLens/resolve only to a client that asked for it', () => {
  assert.deepEqual(lazy.capabilities?.codeLensProvider, { resolveProvider: true });
  assert.deepEqual(full.capabilities?.codeLensProvider, { resolveProvider: false });
});

test('one lens per runnable task, without commands; each resolves to the commands the full lenses carry', async () => {
  const [unresolved, lenses] = await Promise.all([lensesOf(lazy), lensesOf(full)]);
  assert.ok(unresolved.every((l) => l.command === undefined), JSON.stringify(unresolved));
  const lines = (ls: CodeLens[]) => [...new Set(ls.map((l) => l.range.start.line))];
  assert.deepEqual(unresolved.map((l) => l.range.start.line), lines(lenses), 'one lens per line that has lenses, the unreachable task none');
  assert.equal(unresolved.length, 4);
  for (const l of unresolved) {
    const resolved = (await lazy.rpc.sendRequest('codeLens/resolve', l)) as CodeLens & { data: { commands: unknown[] } };
    const expected = lenses.filter((x) => x.range.start.line === l.range.start.line).map((x) => x.command);
    assert.deepEqual(resolved.data.commands, expected, `line ${l.range.start.line}`);
    assert.deepEqual(resolved.command, expected[0]);
    assert.deepEqual(resolved.range, l.range);
  }
  // The task with config errors is marked so in its unresolved lens (the client draws "can't run" without asking).
  assert.deepEqual(unresolved.map((l) => (l.data as unknown[])[2]), [0, 1, 0, 0]);
});

test('a reported result shows in the resolved commands; a lens whose task is gone resolves to a blank label', async () => {
  const [fetch] = await lensesOf(lazy);
  const refreshes = lazy.lensRefreshes;
  await lazy.rpc.sendNotification('capsule/runResult', { uri, taskName: 'fetch', state: 'completed', durationMs: 12, fuelConsumed: 1_234_567, peakMemoryBytes: 8 * 1024 * 1024 });
  await lazy.waitFor('a lens refresh request', () => lazy.lensRefreshes > refreshes);
  const resolved = (await lazy.rpc.sendRequest('codeLens/resolve', fetch)) as { data: { commands: Array<{ title: string }> } };
  assert.deepEqual(resolved.data.commands.map((c) => c.title), ['▶ Run task', 'Run with arguments…', 'LOW fuel 100M · 512 MB · 30 s', '✓ 12 ms · fuel 1.2M · 8 MB']);
  // The task is renamed: the lens the client still holds names a task that is gone.
  const at = TEXT.indexOf('"fetch"');
  const line = TEXT.slice(0, at).split('\n').length - 1;
  const col = at - TEXT.lastIndexOf('\n', at) - 1;
  await lazy.change(uri, 2, [{ range: { start: { line, character: col + 1 }, end: { line, character: col + 6 } }, text: 'fetched' }]);
  await lazy.diagnosticsFor(uri, 2);
  assert.deepEqual(await lazy.rpc.sendRequest('codeLens/resolve', fetch), { range: fetch.range, command: { title: '', command: '' } });
  assert.equal(((await lensesOf(lazy))[0]!.data as unknown[])[1], 'fetched');
});
