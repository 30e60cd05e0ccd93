// The real bundled server over JSON-RPC: lenses (and the run-result protocol extension),
// hovers, completions, quick fixes and document symbols.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CodeAction, CodeLens, CompletionItem, Diagnostic, DocumentSymbol, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { FIXTURE, startServer, uriOf, type TestServer } from './client';
import { positionAt, rangeOf } from './text';

let s: TestServer;
after(async () => {
  await s.stop();
});

const TEXT = `from capsule import task as t

@t(name="fetch", compute="LOW", ram="512mb", timeout="1m30s")
async def fetch_data(url):
    return url

@t(timeout=30, allowed_hosts=["https://api.x.com"], colour="red")
def other(): pass
`;
const uri = uriOf(join(FIXTURE, 'features.py'));
let diags: Diagnostic[];

before(async () => {
  s = await startServer();
  await s.open(uri, TEXT, 1);
  diags = await s.diagnosticsFor(uri, 1);
});

test('lenses: run, run with arguments, limits, and the last result once the client reports it', async () => {
  const lenses = (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
  const first = lenses.filter((l) => l.range.start.line === 2).map((l) => l.command!);
  assert.deepEqual(first.map((c) => c.title), ['▶ Run task', 'Run with arguments…', 'LOW fuel 100M · 512 MB · 1 m 30 s']);
  assert.equal(first[0]!.command, 'capsule.runTask');
  assert.equal(first[1]!.command, 'capsule.runTaskWithArgs');
  assert.deepEqual(first[0]!.arguments, [{ uri, file: join(FIXTURE, 'features.py'), taskName: 'fetch', functionName: 'fetch_data', line: 3 }]);
  assert.deepEqual(lenses.filter((l) => l.range.start.line === 6).map((l) => l.command!.title), ['▶ Run task', 'Run with arguments…', '⚠ config errors']);

  const refreshes = s.lensRefreshes;
  await s.rpc.sendNotification('capsule/runResult', { uri, taskName: 'fetch', state: 'completed', durationMs: 12, fuelConsumed: 1_234_567, peakMemoryBytes: 8 * 1024 * 1024 });
  await s.waitFor('a lens refresh request', () => s.lensRefreshes > refreshes);
  let after = (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
  assert.ok(after.some((l) => l.command!.title === '✓ 12 ms · fuel 1.2M · 8 MB'), JSON.stringify(after.map((l) => l.command!.title)));
  await s.rpc.sendNotification('capsule/runResult', { uri, taskName: 'fetch', state: 'failed', durationMs: 40, fuelConsumed: 100_000_000, peakMemoryBytes: 0, errorType: 'out_of_fuel', message: 'out of fuel (budget 100000000)' });
  await s.waitFor('a second lens refresh', () => s.lensRefreshes > refreshes + 1);
  after = (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as CodeLens[];
  assert.ok(after.some((l) => l.command!.title === '✗ out of fuel'));
  assert.ok(!after.some((l) => l.command!.title.startsWith('✓')));
});

async function hoverAt(needle: string, delta = 1): Promise<string> {
  const at = TEXT.indexOf(needle) + delta;
  const h = (await s.rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionAt(TEXT, at) })) as Hover | null;
  assert.ok(h, `a hover at ${needle}`);
  return (h.contents as MarkupContent).value;
}

test('hover: compute is fuel, ram is bytes, timeout is a duration, the decorator is the effective config', async () => {
  assert.equal(await hoverAt('"LOW"'), '**compute** `LOW`: 100,000,000 fuel (100M), about that many WebAssembly instructions');
  assert.equal(await hoverAt('"512mb"'), '**ram** `512mb`: 536,870,912 bytes (512 MB)');
  assert.equal(await hoverAt('"1m30s"'), '**timeout** `1m30s`: 1 m 30 s (90,000 ms, wall-clock)');
  const deco = await hoverAt('@t(name', 1);
  assert.match(deco, /^\*\*@task `fetch`\*\* \(async\)/);
  assert.match(deco, /\| compute \| LOW · 100,000,000 fuel \| @task \|/);
  // allowed_hosts is not in the decorator: capsule.toml's default applies.
  assert.match(deco, /\| allowed_hosts \| `api\.example\.com` \| capsule\.toml \|/);
  assert.match(deco, /\| max_retries \| 0 \| built-in default \|/);
  assert.match(deco, /\| durable \| no \| built-in default \|/);
});

test('hover on the def\'s name shows the effective config; a value read from a constant says which', async () => {
  const u = uriOf(join(FIXTURE, 'constants.py'));
  const text = 'from capsule import task\n\nRAM = "64MB"\n\n@task(ram=RAM, compute="LOW", durable=True)\ndef crunch():\n    return 1\n';
  await s.open(u, text, 1);
  assert.deepEqual(await s.diagnosticsFor(u, 1), []);
  const at = async (needle: string, delta: number) => {
    const h = (await s.rpc.sendRequest('textDocument/hover', { textDocument: { uri: u }, position: positionAt(text, text.indexOf(needle) + delta) })) as Hover | null;
    return h ? (h.contents as MarkupContent).value : '';
  };
  const def = await at('crunch', 2);
  assert.match(def, /^\*\*@task `crunch`\*\*/);
  assert.match(def, /\| durable \| yes: an interrupted run resumes \(as the root\) \| @task \|/);
  assert.match(def, /\| ram \| 64 MB \(67,108,864 bytes\) \| @task, constant `RAM` \(line 3\) \|/);
  assert.match(await at('RAM,', 1), /^\*\*ram\*\* `64MB`: 67,108,864 bytes \(64 MB\)\n\nRead from the constant `RAM` \(line 3\)/);
  await s.rpc.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
});

async function completeAt(text: string, offset: number): Promise<CompletionItem[]> {
  const u = uriOf(join(FIXTURE, 'complete.py'));
  s.diagnostics.delete(u);
  await s.rpc.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
  await s.open(u, text, 1);
  await s.diagnosticsFor(u, 1);
  const r = (await s.rpc.sendRequest('textDocument/completion', { textDocument: { uri: u }, position: positionAt(text, offset) })) as CompletionItem[] | { items: CompletionItem[] };
  return Array.isArray(r) ? r : r.items;
}

test('completion: parameter names inside @task(, values for compute and file modes, examples for ram and timeout', async () => {
  const head = 'from capsule import task\n\n';
  let text = `${head}@task(\ndef f(): pass\n`;
  let items = await completeAt(text, text.indexOf('(') + 1);
  assert.deepEqual(items.map((i) => i.label), ['name', 'compute', 'ram', 'timeout', 'max_retries', 'allowed_files', 'allowed_hosts', 'env_variables', 'durable']);
  text = `${head}@task(compute="LOW", r)\ndef f(): pass\n`;
  items = await completeAt(text, text.indexOf(' r)') + 2);
  assert.ok(!items.some((i) => i.label === 'compute'), 'a given parameter is not offered again');
  text = `${head}@task(compute="\ndef f(): pass\n`;
  items = await completeAt(text, text.indexOf('"') + 1);
  assert.deepEqual(items.map((i) => i.insertText), ['LOW', 'MEDIUM', 'HIGH', '5000000']);
  text = `${head}@task(ram=)\ndef f(): pass\n`;
  items = await completeAt(text, text.indexOf('=') + 1);
  assert.deepEqual(items.map((i) => i.insertText), ['"64MB"', '"256MB"', '"512MB"', '"1GB"']);
  text = `${head}@task(timeout=")\ndef f(): pass\n`;
  items = await completeAt(text, text.indexOf('"') + 1);
  assert.ok(items.some((i) => i.label === '1m30s'));
  text = `${head}@task(allowed_files=[{"path": "data", "mode": "`;
  items = await completeAt(text, text.length);
  assert.deepEqual(items.map((i) => i.label), ['read-only', 'read-write', 'ro', 'rw']);
  text = `${head}@task(durable=)\ndef f(): pass\n`;
  items = await completeAt(text, text.indexOf('=') + 1);
  assert.deepEqual(items.map((i) => i.insertText), ['True', 'False']);
  text = `${head}print(\n`;
  assert.deepEqual(await completeAt(text, text.indexOf('(') + 1), []);
});

test('completion items replace what is typed so far (textEdit), and values carry documentation', async () => {
  const head = 'from capsule import task\n\n';
  let text = `${head}@task(compute="LO")\ndef f(): pass\n`;
  let items = await completeAt(text, text.indexOf('LO') + 2);
  const low = items.find((i) => i.label === 'LOW')!;
  assert.deepEqual(low.textEdit, { range: { start: positionAt(text, text.indexOf('LO')), end: positionAt(text, text.indexOf('LO') + 2) }, newText: 'LOW' });
  assert.match(markdown(low.documentation), /^100,000,000 fuel units/);
  text = `${head}@task(compute="LOW", ti)\ndef f(): pass\n`;
  items = await completeAt(text, text.indexOf(' ti)') + 3);
  const timeout = items.find((i) => i.label === 'timeout')!;
  assert.deepEqual(timeout.textEdit, { range: { start: positionAt(text, text.indexOf(' ti)') + 1), end: positionAt(text, text.indexOf(' ti)') + 3) }, newText: 'timeout=' });
  text = `${head}@task(ram=)\ndef f(): pass\n`;
  items = await completeAt(text, text.indexOf('=') + 1);
  assert.match(markdown(items[0]!.documentation), /Python needs at least 16 MB/);
});

/** A completion item's documentation, which is markdown. */
function markdown(doc: CompletionItem['documentation']): string {
  assert.ok(doc && typeof doc === 'object' && doc.kind === 'markdown', JSON.stringify(doc));
  return doc.value;
}

async function actionsFor(d: Diagnostic): Promise<CodeAction[]> {
  return (await s.rpc.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
}

function applied(text: string, a: CodeAction): string {
  const edits = a.edit!.changes![uri]!;
  assert.equal(edits.length, 1);
  const e = edits[0]!;
  const off = (p: { line: number; character: number }) => text.split('\n').slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(0, off(e.range.start)) + e.newText + text.slice(off(e.range.end));
}

test('quick fixes: normalise values, remove an unknown parameter', async () => {
  const find = (start: string) => {
    const d = diags.find((x) => String(x.message).startsWith(start));
    assert.ok(d, `a diagnostic starting ${start}: ${JSON.stringify(diags.map((x) => x.message))}`);
    return d;
  };
  const ram = find('ram "512mb" is better written "512MB"');
  assert.deepEqual(ram.range, rangeOf(TEXT, '"512mb"'));
  assert.equal(ram.severity, 2);
  const [fixRam] = await actionsFor(ram);
  assert.match(applied(TEXT, fixRam!), /ram="512MB"/);
  const [fixTimeout] = await actionsFor(find('timeout must be a string'));
  assert.match(applied(TEXT, fixTimeout!), /@t\(timeout="30s", /);
  const [fixHost] = await actionsFor(find('allowed_hosts entry "https://api.x.com"'));
  assert.match(applied(TEXT, fixHost!), /allowed_hosts=\["api\.x\.com"\]/);
  const [remove] = await actionsFor(find('unknown parameter "colour"'));
  assert.equal(remove!.title, 'Remove unknown parameter "colour"');
  assert.match(applied(TEXT, remove!), /allowed_hosts=\["https:\/\/api\.x\.com"\]\)\ndef other/);
});

test('quick fix: add "from capsule import task" when it is missing, after the docstring', async () => {
  const u = uriOf(join(FIXTURE, 'missing_import.py'));
  const text = '"""Module doc."""\n\n@task(compute="LOW")\ndef g(): pass\n';
  await s.open(u, text, 1);
  const [d] = await s.diagnosticsFor(u, 1);
  const actions = (await s.rpc.sendRequest('textDocument/codeAction', { textDocument: { uri: u }, range: d!.range, context: { diagnostics: [d] } })) as CodeAction[];
  assert.equal(actions[0]!.title, 'Add "from capsule import task"');
  const e = actions[0]!.edit!.changes![u]![0]!;
  assert.deepEqual(e, { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: 'from capsule import task\n' });
});

test('document symbols: one per task, by task name', async () => {
  const syms = (await s.rpc.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as DocumentSymbol[];
  assert.deepEqual(syms.map((x) => [x.name, x.detail, x.selectionRange]), [
    ['fetch', '@task · LOW fuel 100M · 512 MB · 1 m 30 s', rangeOf(TEXT, 'fetch_data')],
    ['other', '@task · config errors', rangeOf(TEXT, 'other')],
  ]);
});
