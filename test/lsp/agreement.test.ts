// The editor and the runtime agree on every decorator variant (agreement-variants.ts):
// each file is opened in the real language server (over stdio), and its task is run by
// the real CLI: `capsule run FILE --task NAME --json`, through the CLI's own main() in
// this process (the bundle's launcher only adds a process), reading the limits it ran
// under back from the trace. Any disagreement fails the test:
// - the server lists the task and flags no error, but the CLI refuses it (exit 2), or
//   the run fails for a configuration reason (TaskConfigError, no such task);
// - the server flags an error (or does not list the task), but the CLI runs it;
// - the run used other limits than the server shows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Diagnostic, Position, Range } from 'vscode-languageserver-protocol';
import { main } from '../../runtime/src/cli/cli';
import type { TaskConfig } from '../../runtime/src/config/schema';
import { TraceStore } from '../../runtime/src/trace/trace-store';
import { variants, type Variant } from './agreement-variants';
import { startServer, uriOf, type TestServer } from './client';

const project = mkdtempSync(join(tmpdir(), 'capsule-agreement-'));
let server: TestServer;

interface ServerView { errors: Diagnostic[]; config: TaskConfig | null | undefined }
interface CliView { code: number; stderr: string; envelope?: { success: boolean; error?: { error_type: string; message: string } | null } }

const all = variants();
const fileOf = (v: Variant) => join(project, `${v.id}.py`);

before(async () => {
  mkdirSync(join(project, 'data'));
  writeFileSync(join(project, 'data', 'file.txt'), 'x');
  writeFileSync(join(project, 'capsule.toml'), '[workflow]\nname = "agreement"\n');
  for (const v of all) writeFileSync(fileOf(v), v.source);
  server = await startServer(project);
});
after(async () => {
  await server?.stop();
  rmSync(project, { recursive: true, force: true });
});

async function serverView(): Promise<Map<string, ServerView>> {
  for (const v of all) await server.open(uriOf(fileOf(v)), v.source, 1);
  const diags = new Map<string, Diagnostic[]>();
  for (const v of all) diags.set(v.id, await server.diagnosticsFor(uriOf(fileOf(v)), 1));
  const listed = (await server.rpc.sendRequest('capsule/listTasks', {})) as Array<{ file: string; taskName: string; config: TaskConfig | null }>;
  const out = new Map<string, ServerView>();
  for (const v of all) {
    const tasks = listed.filter((t) => t.file === fileOf(v) && t.taskName === v.task);
    // A bad decorator on another task of the file does not stop this one (the CLI checks
    // the task run and those it calls): count the errors in its own definition, and those
    // in no task's.
    const symbols = (await server.rpc.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uriOf(fileOf(v)) } })) as Array<{ name: string; range: Range }>;
    const own = symbols.filter((x) => x.name === v.task).map((x) => x.range);
    const relevant = (d: Diagnostic) => own.some((r) => inside(d.range, r)) || !symbols.some((x) => inside(d.range, x.range));
    out.set(v.id, { errors: diags.get(v.id)!.filter((d) => d.severity === 1 && relevant(d)), config: tasks.length === 1 ? tasks[0]!.config : undefined });
  }
  return out;
}

const before_ = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const inside = (r: Range, outer: Range) => before_(outer.start, r.start) && before_(r.end, outer.end);

async function cliRun(v: Variant): Promise<CliView> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { add(String(chunk)); cb(); } });
  const code = await main(['run', `${v.id}.py`, '--task', v.task, '--json'], { out: sink((s) => (out += s)), err: sink((s) => (err += s)) }, project);
  return { code, stderr: err, ...(out.trim() ? { envelope: JSON.parse(out) } : {}) };
}

const CONFIG_FAILURE = /TaskConfigError|no task named|NameError|is reserved|SandboxSpecError/;

test(`the language server and the CLI agree on ${all.length} decorator variants`, { timeout: 15 * 60_000 }, async () => {
  assert.ok(all.length >= 200, `only ${all.length} variants`);
  const seen = await serverView();
  const disagreements: string[] = [];
  const ran = new Map<string, Variant>();
  // Three CLI runs at a time, as three terminals would (they share the trace).
  const results = new Map<string, CliView>();
  const queue = [...all];
  await Promise.all([0, 1, 2].map(async () => {
    for (let v = queue.shift(); v; v = queue.shift()) results.set(v.id, await cliRun(v));
  }));
  for (const v of all) {
    const s = seen.get(v.id)!;
    const cli = results.get(v.id)!;
    const serverRuns = s.errors.length === 0 && s.config != null;
    const cliRuns = cli.code !== 2;
    const what = () => `server: ${s.errors.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join(' | ') || (s.config === undefined ? 'task not listed' : 'no error')}; CLI exit ${cli.code}: ${(cli.stderr.trim() || cli.envelope?.error?.message || '').slice(0, 300)}`;
    if (serverRuns !== cliRuns) {
      disagreements.push(`${v.id}: ${serverRuns ? 'server accepts, CLI refuses' : 'server refuses, CLI runs'} (${what()})`);
      continue;
    }
    if (cli.envelope && !cli.envelope.success && CONFIG_FAILURE.test(cli.envelope.error?.message ?? '')) {
      disagreements.push(`${v.id}: the run failed for a configuration reason the server did not flag (${what()})`);
      continue;
    }
    if (cliRuns) ran.set(`${v.id}.py`, v);
  }
  // The limits each run used, from the trace, against the config the server showed.
  const trace = TraceStore.open(join(project, '.capsule', 'trace.db'));
  try {
    const runs = trace.history(1000);
    for (const [file, v] of ran) {
      const r = runs.find((x) => x.file === file && !x.parentId);
      const c = seen.get(v.id)!.config!;
      if (!r?.limits) {
        disagreements.push(`${v.id}: no trace of its run`);
        continue;
      }
      const shown = { fuel: c.fuel, ramBytes: c.ramBytes, timeoutMs: c.timeoutMs, maxRetries: c.maxRetries };
      if (JSON.stringify(r.limits) !== JSON.stringify(shown)) disagreements.push(`${v.id}: ran with ${JSON.stringify(r.limits)}, the server shows ${JSON.stringify(shown)}`);
    }
  } finally {
    trace.close();
  }
  assert.deepEqual(disagreements, []);
  // Both outcomes are exercised.
  assert.ok(ran.size >= 50 && all.length - ran.size >= 50, `${ran.size} of ${all.length} ran`);
});
