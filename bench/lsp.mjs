// Language server figures, measured against the real bundled server over stdio
// JSON-RPC, so they include the protocol's own cost:
// - diagnostics after a one-character edit in a 5,000-line file (goal <= 5 ms),
// - edit latency on 10,000 decorators, on python3.11's pydoc_data/topics.py (739 KB)
//   and on a 5 MB one-line file (p95 < 20 ms on the first two, no hang on the third),
// - the first index of 1,000 files, and of python3's own ~2,000 files (/usr/lib/python3*),
// - the server's memory (RSS) after them.
// Times depend on the machine's load: the notes give the load average.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `pull`: the client pulls diagnostics (textDocument/diagnostic), as VS Code's does: it
 * can register providers dynamically, and pulls every provider the server registered
 * (one per identifier) after each change; none registered is one static provider.
 */
function start(workspace, folders = [workspace], { pull = false, initializationOptions = {} } = {}) {
  const proc = spawn(process.execPath, [join(root, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rpc = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  // The bytes the server wrote (what each keystroke costs the client to read).
  let bytesOut = 0;
  proc.stdout.on('data', (b) => { bytesOut += b.length; });
  const waiters = new Map();
  // A waiter is dropped once answered: kept, its promise would keep every message the
  // server pushed alive (~370 KB each on 10k decorators), and the client's own GC would
  // then make the tail of the push rows (scavenges of 20-30 ms copying them).
  rpc.onNotification('textDocument/publishDiagnostics', (p) => {
    const key = `${p.uri}@${p.version}`;
    const w = waiters.get(key);
    waiters.delete(key);
    w?.(p);
  });
  const status = new Promise((resolve) => rpc.onNotification('capsule/serverStatus', resolve));
  rpc.onRequest('workspace/codeLens/refresh', () => null);
  rpc.onRequest('workspace/diagnostic/refresh', () => null);
  const providers = [];
  rpc.onRequest('client/registerCapability', ({ registrations }) => {
    for (const r of registrations) if (r.method === 'textDocument/diagnostic') providers.push(r.registerOptions?.identifier);
    return null;
  });
  rpc.listen();
  const diagnostics = (uri, version) => new Promise((resolve) => waiters.set(`${uri}@${version}`, resolve));
  const init = async () => {
    await rpc.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(workspace).href, workspaceFolders: folders.map((f, i) => ({ uri: pathToFileURL(f).href, name: `bench${i}` })), capabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, ...(pull ? { diagnostic: { dynamicRegistration: true } } : {}) } }, initializationOptions });
    await rpc.sendNotification('initialized', {});
  };
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
  // The server's CPU time (user + system, ms; Linux): unlike round trips, it hardly depends on the machine's load.
  const cpuMs = () => {
    const f = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
  };
  const stop = async () => {
    await rpc.sendRequest('shutdown').catch(() => {});
    await rpc.sendNotification('exit').catch(() => {});
    rpc.dispose();
    proc.kill();
  };
  /** The pull providers' identifiers (undefined: the static one). */
  const pullProviders = () => (providers.length > 0 ? providers : [undefined]);
  return { rpc, init, status, diagnostics, rss, cpuMs, stop, bytes: () => bytesOut, pullProviders };
}

/** A 5,000-line module: 250 tasks (some with bad values) between ordinary code. */
function bigFile() {
  const lines = ['from capsule import task', ''];
  let i = 0;
  while (lines.length < 5000) {
    const bad = i % 5 === 0;
    lines.push(`@task(compute="${bad ? 'ultra' : 'LOW'}", ram="${bad ? '512mo' : '256MB'}", timeout="30s", allowed_hosts=["api.example.com"])`);
    lines.push(`def task_${i}(x):`);
    for (let k = 0; k < 15; k++) lines.push(`    x = x * ${k} + len(str(x))  # work ${k}`);
    lines.push('    return x', '');
    i++;
  }
  return lines.slice(0, 5000).join('\n') + '\n';
}

/** `n` tasks, one decorator each, every 7th with a bad value (the audit's 10k-decorator file). */
function decorators(n) {
  const lines = ['from capsule import task', ''];
  for (let i = 0; i < n; i++) lines.push(`@task(compute="${i % 7 ? 'LOW' : 'ultra'}", ram="256MB")`, `def t${i}(x):`, '    return x + 1', '');
  return lines.join('\n');
}

/** Five requests, timed: the median round trip and the answer's JSON size (KB). */
async function timedAnswers(request) {
  const ms = [];
  let kb = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const answer = await request(i);
    ms.push(performance.now() - t0);
    kb = JSON.stringify(answer).length / 1024;
  }
  return { ms: median(ms), kb };
}

const TOPICS = ['/usr/lib/python3.11/pydoc_data/topics.py', join(process.env.HOME ?? '/root', '.pyenv/versions/3.11.0/lib/python3.11/pydoc_data/topics.py')];

/**
 * Edit latency on one document: one-character edits at `at` (alternating, so the text
 * keeps its shape), each timed from didChange to its diagnostics: pushed, or with
 * `pull`, the answers to the textDocument/diagnostic requests a pulling client sends
 * after each change, one per provider, all in flight at once (with the resultId it holds
 * for each, so unchanged diagnostics are not sent again). `newline`: a line break typed
 * at `at`, then removed (every later diagnostic moves).
 * `deadlineMs` bounds the whole run, so a hang is reported, not waited out.
 */
async function editLatency(s, uri, text, at, { edits = 100, deadlineMs = 60_000, typing = false, pull = false, newline = false } = {}) {
  const resultIds = new Map();
  const held = new Map();
  const reports = { full: 0, unchanged: 0 };
  const providers = pull ? s.pullProviders() : [];
  const pulled = () => Promise.all(providers.map(async (identifier) => {
    const previousResultId = resultIds.get(identifier);
    const r = await s.rpc.sendRequest('textDocument/diagnostic', { textDocument: { uri }, ...(identifier ? { identifier } : {}), ...(previousResultId ? { previousResultId } : {}) });
    reports[r.kind]++;
    resultIds.set(identifier, r.resultId);
    if (r.kind === 'full') held.set(identifier, r.items.length);
  }));
  const opened = pull ? undefined : s.diagnostics(uri, 1);
  const t0 = performance.now();
  await s.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  await (pull ? pulled() : opened);
  const openMs = performance.now() - t0;
  const times = [];
  const cpu0 = s.cpuMs();
  const bytes0 = s.bytes();
  const end = performance.now() + deadlineMs;
  for (let v = 2; v < edits + 2 && performance.now() < end; v++) {
    const done = pull ? undefined : s.diagnostics(uri, v);
    const t = performance.now();
    // Replacing one character keeps every later statement where it is; typing (a character
    // in, then out) moves all of them.
    const change = newline
      ? (v % 2 ? { range: { start: at, end: { line: at.line + 1, character: 0 } }, text: '' } : { range: { start: at, end: at }, text: '\n' })
      : typing
      ? { range: { start: at, end: { line: at.line, character: at.character + (v % 2 ? 1 : 0) } }, text: v % 2 ? '' : 'x' }
      : { range: { start: at, end: { line: at.line, character: at.character + (v > 2 ? 1 : 0) } }, text: v % 2 ? 'u' : 'U' };
    await s.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [change] });
    await (pull ? pulled() : done);
    times.push(performance.now() - t);
  }
  const cpuPerEdit = (s.cpuMs() - cpu0) / times.length;
  const kbPerEdit = (s.bytes() - bytes0) / times.length / 1024;
  await s.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
  const warm = times.slice(Math.min(10, Math.floor(times.length / 5)));
  const diagnostics = [...held.values()].reduce((a, b) => a + b, 0);
  return { openMs, p50: median(warm), p95: p95(warm), n: times.length, reports, cpuPerEdit, kbPerEdit, providers: providers.length, diagnostics };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

/** Indexes python3's own files (/usr/lib/python3*, ~2,000 .py files) as two workspace folders. */
async function indexStdlib() {
  const folders = ['/usr/lib/python3.11', '/usr/lib/python3'].filter((f) => existsSync(f));
  if (folders.length === 0) return null;
  const s = start(folders[0], folders);
  const t0 = performance.now();
  await s.init();
  const status = await s.status;
  const ms = performance.now() - t0;
  const rss = s.rss();
  await s.stop();
  return { files: status.indexedFiles, ms, rss };
}

export default async function lspBench() {
  const ws = mkdtempSync(join(tmpdir(), 'capsule-lsp-bench-'));
  try {
    // 1,000 files: a third with tasks, the rest plain code.
    for (let f = 0; f < 1000; f++) {
      const dir = join(ws, `pkg${f % 20}`);
      mkdirSync(dir, { recursive: true });
      const body = f % 3 === 0
        ? `from capsule import task\n\n@task(name="t${f}", compute="LOW", ram="64MB")\ndef t${f}(x):\n    return x + 1\n`
        : `def helper_${f}(x):\n    return [i * x for i in range(10)]\n`;
      writeFileSync(join(dir, `m${f}.py`), body.repeat(1) + '\n# filler\n'.repeat(40));
    }
    const s = start(ws);
    const t0 = performance.now();
    await s.init();
    const status = await s.status;
    const indexMs = performance.now() - t0;
    const rssAfterIndex = s.rss();

    const text = bigFile();
    const uri = pathToFileURL(join(ws, 'big.py')).href;
    const opened = s.diagnostics(uri, 1);
    const tOpen = performance.now();
    await s.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const first = await opened;
    const openMs = performance.now() - tOpen;

    // One-character edits inside a task's value, alternating so the text keeps its shape.
    const times = [];
    const line = 2; // the first decorator: @task(compute="ultra", ...)
    for (let v = 2; v < 202; v++) {
      const ch = v % 2 ? 'u' : 'U';
      const done = s.diagnostics(uri, v);
      const t = performance.now();
      await s.rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line, character: 15 }, end: { line, character: 16 } }, text: ch }] });
      await done;
      times.push(performance.now() - t);
    }
    const rssEnd = s.rss();

    // The sizes the server must stay responsive at: 10k decorators, a real 739 KB module, a 5 MB single line.
    const dec = await editLatency(s, pathToFileURL(join(ws, 'decorators.py')).href, decorators(10_000), { line: 2, character: 15 });
    const decTyping = await editLatency(s, pathToFileURL(join(ws, 'decorators-typing.py')).href, decorators(10_000), { line: 2, character: 15 }, { typing: true });
    const dec2k = await editLatency(s, pathToFileURL(join(ws, 'decorators-2k.py')).href, decorators(2_000), { line: 2, character: 15 }, { typing: true });
    const topicsPath = TOPICS.find((p) => existsSync(p));
    const topics = topicsPath ? await editLatency(s, pathToFileURL(join(ws, 'topics.py')).href, readFileSync(topicsPath, 'utf8'), { line: 1, character: 2 }) : null;
    const oneLine = await editLatency(s, pathToFileURL(join(ws, 'oneline.py')).href, `x = [${'1, '.repeat(5 * 1024 * 1024 / 3)}]\n`, { line: 0, character: 1 }, { edits: 20 });
    // The Tasks view asks for the task list (with each task's parameters) after each change of it.
    const listedUri = pathToFileURL(join(ws, 'decorators-listed.py')).href;
    await s.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri: listedUri, languageId: 'python', version: 1, text: decorators(10_000) } });
    const listed = [];
    let listedTasks = 0;
    let listedKb = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const all = await s.rpc.sendRequest('capsule/listTasks', {});
      listed.push(performance.now() - t0);
      listedTasks = all.length;
      listedKb = JSON.stringify(all).length / 1024;
    }
    // Lenses with their commands (a client that did not ask for lenses: "resolve").
    const fullLenses = await timedAnswers(() => s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri: listedUri } }));
    await s.rpc.sendNotification('textDocument/didClose', { textDocument: { uri: listedUri } });
    await s.stop();
    // The same 10k-decorator file for a client that pulls (VS Code's): typing in a
    // decorator's value changes a diagnostic (full reports), typing in a body none. 300
    // edits each: the p95 of ~100 is the 5th-slowest, which one busy moment of the box moves.
    const p = start(ws, [ws], { pull: true, initializationOptions: { lenses: 'resolve' } });
    await p.init();
    await p.status;
    const pullValue = await editLatency(p, pathToFileURL(join(ws, 'pull-value.py')).href, decorators(10_000), { line: 2, character: 15 }, { typing: true, pull: true, edits: 300 });
    const pullBody = await editLatency(p, pathToFileURL(join(ws, 'pull-body.py')).href, decorators(10_000), { line: 4, character: 12 }, { typing: true, pull: true, edits: 300 });
    // What the extension asks after each change besides diagnostics: the lenses (one per task,
    // resolved when shown) and the task list's changes (one task after a value edit).
    const viewUri = pathToFileURL(join(ws, 'pull-view.py')).href;
    await p.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri: viewUri, languageId: 'python', version: 1, text: decorators(10_000) } });
    const lazyLenses = await timedAnswers(() => p.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri: viewUri } }));
    let since = (await p.rpc.sendRequest('capsule/listTaskChanges', {})).version;
    const viewLines = decorators(10_000).split('\n');
    const changesAfterEdit = await timedAnswers(async (i) => {
      const value = i % 2 === 0 ? 'LOX' : 'LOW'; // a bad value, then good again: the task's problems change each time
      const line = 2 + 4 * 7 * (100 + Math.floor(i / 2)) + 4; // a "LOW" task's decorator
      await p.rpc.sendNotification('textDocument/didChange', { textDocument: { uri: viewUri, version: i + 2 }, contentChanges: [{ range: { start: { line, character: 15 }, end: { line, character: 18 } }, text: value }] });
      const answer = await p.rpc.sendRequest('capsule/listTaskChanges', { since });
      since = answer.version;
      if (answer.full || answer.splices.length !== 1 || answer.splices[0].tasks.length !== 1) throw new Error(`listTaskChanges after a value edit: ${JSON.stringify(answer).slice(0, 300)} (line ${line}: ${viewLines[line]})`);
      return answer;
    });
    await p.rpc.sendNotification('textDocument/didClose', { textDocument: { uri: viewUri } });
    // A line break typed near the top: every diagnostic below moves, so every provider's report is full.
    const pullNewline = await editLatency(p, pathToFileURL(join(ws, 'pull-newline.py')).href, decorators(10_000), { line: 1, character: 0 }, { pull: true, newline: true });
    // Scaling: a keystroke's server CPU at 1k..20k decorators (in a body: "unchanged"; in a
    // value: a full report, whose size grows with the file's diagnostics).
    const scaling = [];
    for (const n of [1_000, 5_000, 10_000, 20_000]) {
      const body = await editLatency(p, pathToFileURL(join(ws, `scale-body-${n}.py`)).href, decorators(n), { line: 4, character: 12 }, { typing: true, pull: true });
      const value = await editLatency(p, pathToFileURL(join(ws, `scale-value-${n}.py`)).href, decorators(n), { line: 2, character: 15 }, { typing: true, pull: true });
      scaling.push({ n, body: body.cpuPerEdit, value: value.cpuPerEdit });
    }
    await p.stop();
    const stdlib = await indexStdlib();
    const warm = times.slice(20);
    return {
      title: 'Language server: real server over stdio JSON-RPC',
      rows: [
        { measure: 'diagnostics after a 1-char edit, 5,000-line file (median)', value: Number(median(warm).toFixed(2)), unit: 'ms', goal: '<= 5' },
        { measure: 'diagnostics after a 1-char edit, 5,000-line file (p95)', value: Number(p95(warm).toFixed(2)), unit: 'ms', goal: '' },
        { measure: 'first diagnostics after opening it (full parse)', value: Number(openMs.toFixed(1)), unit: 'ms', goal: '' },
        { measure: 'first index of 1,000 files (initialize -> status)', value: Number(indexMs.toFixed(0)), unit: 'ms', goal: '' },
        { measure: 'server RSS after the index', value: Number((rssAfterIndex / 1024 / 1024).toFixed(1)), unit: 'MB', goal: '' },
        { measure: 'server RSS after the 5,000-line file and 200 edits', value: Number((rssEnd / 1024 / 1024).toFixed(1)), unit: 'MB', goal: '' },
        { measure: 'edit -> diagnostics, 10,000 decorators (p50)', value: Number(dec.p50.toFixed(2)), unit: 'ms', goal: '' },
        { measure: 'edit -> diagnostics, 10,000 decorators (p95)', value: Number(dec.p95.toFixed(2)), unit: 'ms', goal: '< 20' },
        { measure: 'edit -> diagnostics, 10,000 decorators, typing (p50)', value: Number(decTyping.p50.toFixed(2)), unit: 'ms', goal: '' },
        { measure: 'edit -> diagnostics, 10,000 decorators, typing (p95)', value: Number(decTyping.p95.toFixed(2)), unit: 'ms', goal: '< 20' },
        { measure: 'server CPU per edit, 10,000 decorators, typing (mean)', value: Number(decTyping.cpuPerEdit.toFixed(1)), unit: 'ms', goal: '' },
        { measure: 'edit -> diagnostics, 2,000 decorators, typing (p50; linear scaling)', value: Number(dec2k.p50.toFixed(2)), unit: 'ms', goal: '' },
        { measure: 'server CPU per edit, 2,000 decorators, typing (mean)', value: Number(dec2k.cpuPerEdit.toFixed(1)), unit: 'ms', goal: '' },
        { measure: 'open, 10,000 decorators', value: Number(dec.openMs.toFixed(0)), unit: 'ms', goal: '' },
        { measure: `capsule/listTasks with parameters, a 10,000-decorator file open (${listedTasks.toLocaleString('en')} tasks; median of 5)`, value: Number(median(listed).toFixed(0)), unit: 'ms', goal: '' },
        { measure: `code lenses of a 10,000-decorator file, as the extension asks (one per task, resolved when shown; ${lazyLenses.kb.toFixed(0)} KB; median of 5)`, value: Number(lazyLenses.ms.toFixed(0)), unit: 'ms', goal: '' },
        { measure: `code lenses of that file with their commands (other clients; ${fullLenses.kb.toFixed(0)} KB; median of 5)`, value: Number(fullLenses.ms.toFixed(0)), unit: 'ms', goal: '' },
        { measure: `a value edit in that file, then the task list's changes the Tasks view asks for (one round trip for both; the answer ${changesAfterEdit.kb.toFixed(1)} KB, against ${listedKb.toFixed(0)} KB for the whole list; median of 5)`, value: Number(changesAfterEdit.ms.toFixed(1)), unit: 'ms', goal: '' },
        { measure: 'edit -> pulled diagnostics, 10,000 decorators, typing in a value (p50)', value: Number(pullValue.p50.toFixed(2)), unit: 'ms', goal: '' },
        { measure: 'edit -> pulled diagnostics, 10,000 decorators, typing in a value (p95)', value: Number(pullValue.p95.toFixed(2)), unit: 'ms', goal: '< 20' },
        { measure: 'edit -> pulled diagnostics, 10,000 decorators, typing in a body (p50)', value: Number(pullBody.p50.toFixed(2)), unit: 'ms', goal: '' },
        { measure: 'edit -> pulled diagnostics, 10,000 decorators, typing in a body (p95)', value: Number(pullBody.p95.toFixed(2)), unit: 'ms', goal: '< 20' },
        { measure: 'edit -> pulled diagnostics, 10,000 decorators, a line break typed at the top (p50)', value: Number(pullNewline.p50.toFixed(2)), unit: 'ms', goal: '' },
        { measure: 'edit -> pulled diagnostics, 10,000 decorators, a line break typed at the top (p95)', value: Number(pullNewline.p95.toFixed(2)), unit: 'ms', goal: '' },
        { measure: 'server CPU per edit, pulled, typing in a value / in a body (mean)', value: `${pullValue.cpuPerEdit.toFixed(1)} / ${pullBody.cpuPerEdit.toFixed(1)}`, unit: 'ms', goal: '' },
        { measure: `server CPU per edit, pulled, in a body, ${scaling.map((x) => `${x.n / 1000}k`).join(' / ')} decorators`, value: scaling.map((x) => x.body.toFixed(1)).join(' / '), unit: 'ms', goal: 'linear' },
        { measure: `server CPU per edit, pulled, in a value, ${scaling.map((x) => `${x.n / 1000}k`).join(' / ')} decorators`, value: scaling.map((x) => x.value.toFixed(1)).join(' / '), unit: 'ms', goal: 'linear' },
        ...(topics ? [
          { measure: 'edit -> diagnostics, pydoc_data/topics.py 739 KB (p50)', value: Number(topics.p50.toFixed(2)), unit: 'ms', goal: '' },
          { measure: 'edit -> diagnostics, pydoc_data/topics.py 739 KB (p95)', value: Number(topics.p95.toFixed(2)), unit: 'ms', goal: '< 20' },
        { measure: 'server CPU per edit, pydoc_data/topics.py (mean)', value: Number(topics.cpuPerEdit.toFixed(1)), unit: 'ms', goal: '' },
        ] : []),
        { measure: 'edit -> diagnostics, 5 MB one-line file (p95)', value: Number(oneLine.p95.toFixed(2)), unit: 'ms', goal: 'no hang' },
        { measure: 'open, 5 MB one-line file', value: Number(oneLine.openMs.toFixed(0)), unit: 'ms', goal: '' },
        ...(stdlib ? [
          { measure: `first index of python3's ${stdlib.files} files (initialize -> status)`, value: Number(stdlib.ms.toFixed(0)), unit: 'ms', goal: '' },
          { measure: 'server RSS after that index', value: Number((stdlib.rss / 1024 / 1024).toFixed(1)), unit: 'MB', goal: '' },
        ] : []),
      ],
      notes: [
        `indexed ${status.indexedFiles} files (status ${status.health}); the 5,000-line file has ${first.diagnostics.length} diagnostics, all re-sent on each edit`,
        'times are round trips: didChange sent -> publishDiagnostics received (or the pull answered), so they include JSON-RPC over a pipe and the bench\'s own parse of each message; "server CPU" is the server process\'s user+system time over the edits (/proc, 10 ms ticks), which the load inflates far less than round trips',
        `load average while measuring: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) on ${availableParallelism()} cores`,
        `bytes from the server per keystroke, 10k decorators: push ${decTyping.kbPerEdit.toFixed(0)} KB, pulled in a value ${pullValue.kbPerEdit.toFixed(0)} KB, a line break ${pullNewline.kbPerEdit.toFixed(0)} KB, in a body ${(pullBody.kbPerEdit * 1024).toFixed(0)} B (over stdio, as the extension starts the server)`,
        `pulled: ${pullValue.providers} provider(s) (${pullValue.providers > 1 ? 'the server registered one per group of diagnostics; the client pulls each after every change and a round trip ends when all have answered' : 'one static provider'}), holding ${pullValue.diagnostics} diagnostics in all`,
        `pulled reports: typing in a value ${pullValue.reports.full} full / ${pullValue.reports.unchanged} unchanged; in a body ${pullBody.reports.full} full / ${pullBody.reports.unchanged} unchanged; a line break ${pullNewline.reports.full} full / ${pullNewline.reports.unchanged} unchanged (the open's included)`,
        `edits: ${dec.n} on the 10k-decorator file (${pullValue.n} and ${pullBody.n} in the pulled value and body rows, ${pullNewline.n} line breaks), ${topics?.n ?? 0} on topics.py${topics ? '' : ' (not found on this machine)'}, ${oneLine.n} on the 5 MB line (over the 2 MB the server checks: one notice, no parse)`,
      ],
    };
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await lspBench(), null, 2));
}
