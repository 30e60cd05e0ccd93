// The server writes its diagnostics messages from JSON kept per diagnostic
// (server/src/diagnostic-json.ts). The oracle is the encoder it replaces, vscode-jsonrpc's
// own: UTF-8 of JSON.stringify(message). Both must carry the same value for every
// message, with diagnostics made by the server (frozen, kept) and others (written each time).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, Message } from 'vscode-languageserver/node';
import { discoverTasks, initParser } from '../../runtime/src/discovery/index';
import type { Parser } from '../../runtime/src/discovery/parser';
import { taskDiagnostics } from '../../server/src/diagnostics';
import { freezeDiagnostic, messageBytes } from '../../server/src/diagnostic-json';
import { prng } from '../random-edits';

let parser: Parser;
before(async () => {
  parser = await initParser();
});

/** Problems of every kind the schema reports, quick fixes (`data`) and non-ASCII text included. */
const SOURCE = [
  'from capsule import task',
  '',
  '@task(compute="ultra", ram="64M", timeout="1d")',
  'def a():',
  '    return 1',
  '',
  '@task(env_variables=["ÄPI"], compte="LOW", allowed_hosts=["1.1"])',
  'def b():',
  '    return 2',
  '',
  '@task(name="b", max_retries=3.0, ram="1TB")',
  'def c():',
  '    return 3',
  '',
].join('\n');

function made(): Diagnostic[] {
  return taskDiagnostics(discoverTasks(SOURCE, { parser }), []);
}

const ORACLE = (msg: Message) => JSON.parse(Buffer.from(JSON.stringify(msg), 'utf8').toString('utf8'));
const MINE = (msg: Message) => JSON.parse(messageBytes(msg).toString('utf8'));

test('the server\'s diagnostics are frozen, what they hold too (their kept JSON cannot go stale)', () => {
  const list = made();
  assert.ok(list.length >= 6, `the source reports its problems (${list.length})`);
  assert.ok(list.some((d) => d.data !== undefined), 'some carry quick fixes');
  for (const d of list) {
    assert.ok(Object.isFrozen(d) && Object.isFrozen(d.range) && Object.isFrozen(d.range.start) && Object.isFrozen(d.range.end), JSON.stringify(d));
    if (d.data) assert.ok(Object.isFrozen(d.data) && Object.isFrozen((d.data as { fixes: object[] }).fixes[0]), 'its fixes');
    assert.throws(() => ((d.range.start as { line: number }).line = 99), TypeError);
  }
});

test('a kept diagnostic\'s JSON is hidden: it equals the same diagnostic written out, and a copy of it keeps no JSON', () => {
  const literal = { range: { start: { line: 3, character: 1 }, end: { line: 3, character: 4 } }, severity: 1 as const, source: 'capsule', message: 'é "q"', code: 'ram' };
  const kept = freezeDiagnostic(structuredClone(literal));
  assert.deepStrictEqual(kept, literal);
  assert.deepEqual(Object.keys(kept), Object.keys(literal));
  assert.equal(JSON.stringify(kept), JSON.stringify(literal));
  // A copy is a new object the caller may change: it is written from what it holds.
  const copy = { ...kept, message: 'changed' };
  const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', diagnostics: [copy] } } as Message;
  assert.deepStrictEqual(MINE(msg), ORACLE(msg));
});

test('a pull report and a push carry what vscode-jsonrpc\'s own encoder writes, for kept, unkept and mixed lists', () => {
  const kept = made();
  const unkept: Diagnostic[] = [
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }, severity: 1, source: 'capsule', message: 'SyntaxError: "é" 😀 \\ \n\t\u0001 </script>' },
    { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, message: 'no severity, no source' },
  ];
  const lists = [[], kept, unkept, [...unkept.slice(0, 1), ...kept, ...unkept.slice(1)], [...kept, ...kept]];
  for (const items of lists) {
    const messages: Message[] = [
      { jsonrpc: '2.0', id: 7, result: { kind: 'full', resultId: '12', items } } as Message,
      { jsonrpc: '2.0', id: 'req-é', result: { kind: 'full', items } } as Message,
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///tmp/ä b.py', version: 3, diagnostics: items } } as Message,
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///tmp/a.py', diagnostics: items } } as Message,
    ];
    for (const msg of messages) {
      assert.deepStrictEqual(MINE(msg), ORACLE(msg));
      // Twice: the second time from the kept JSON.
      assert.deepStrictEqual(MINE(msg), ORACLE(msg));
    }
  }
});

test('messages that carry no diagnostics list are JSON.stringify\'s exactly', () => {
  const messages: Message[] = [
    { jsonrpc: '2.0', id: 1, result: { kind: 'unchanged', resultId: '4' } } as Message,
    { jsonrpc: '2.0', id: 2, result: null } as Message,
    { jsonrpc: '2.0', id: 3, error: { code: -32600, message: 'the Capsule language server is shut down' } } as Message,
    { jsonrpc: '2.0', id: 4, result: { items: [{ label: 'LOW' }], isIncomplete: false } } as Message,
    { jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: 'é' } } as Message,
  ];
  for (const msg of messages) {
    assert.equal(messageBytes(msg).toString('utf8'), JSON.stringify(msg));
  }
});

test('lists that change a little from message to message (kept bytes copied as blocks) carry what the oracle writes, over 3,000 seeded steps', () => {
  const rand = prng(0xd1a9);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const real = made();
  let made_ = 0;
  const fresh = (): Diagnostic => {
    made_++;
    const line = Math.floor(rand() * 40_000);
    return rand() < 0.3 ? pick(real) : freezeDiagnostic({ range: { start: { line, character: 14 }, end: { line, character: 14 + made_ % 9 } }, severity: 1, source: 'capsule', message: `compute "u${'x'.repeat(made_ % 5)}ltra" is not a level é`, code: 'compute' });
  };
  // Two documents edited in turns, as when a user switches files.
  const docs = [Array.from({ length: 300 }, fresh), Array.from({ length: 70 }, fresh)];
  const steps = { replace: 0, insert: 0, remove: 0, same: 0, unfrozen: 0, shrink: 0 };
  for (let step = 0; step < 3000; step++) {
    const d = rand() < 0.8 ? 0 : 1;
    const list = docs[d]!.slice();
    const r = rand();
    const at = Math.floor(rand() * (list.length + 1));
    if (r < 0.35 && list.length > 0) { list[Math.min(at, list.length - 1)] = fresh(); steps.replace++; }
    else if (r < 0.55) { list.splice(at, 0, ...Array.from({ length: 1 + Math.floor(rand() * 3) }, fresh)); steps.insert++; }
    else if (r < 0.75 && list.length > 0) { list.splice(at, 1 + Math.floor(rand() * 3)); steps.remove++; }
    else if (r < 0.8) { list.push({ ...fresh() }); steps.unfrozen++; } // a copy: not frozen, written each time
    else if (r < 0.82) { list.splice(0, list.length - Math.floor(rand() * 80)); steps.shrink++; } // under and over KEPT_FROM
    else steps.same++;
    if (list.length < 40) list.push(...Array.from({ length: 100 }, fresh));
    docs[d] = list;
    const msg = (rand() < 0.5
      ? { jsonrpc: '2.0', id: step, result: { kind: 'full', resultId: String(step), items: list } } as Message
      : { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: `file:///d${d}.py`, version: step, diagnostics: list } } as Message);
    const bytes = messageBytes(msg);
    assert.deepStrictEqual(JSON.parse(bytes.toString('utf8')), ORACLE(msg), `step ${step}`);
  }
  for (const [kind, count] of Object.entries(steps)) assert.ok(count > 20, `${kind} steps: ${count}`);
});
