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
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { TaskConfig } from '../../runtime/src/config/schema';
import { TraceStore } from '../../runtime/src/trace/trace-store';
import { variants, type Variant } from './agreement-variants';
import { startServer, uriOf, type TestServer } from './client';
import { CONFIG_FAILURE, cliRun, errorsFor, inParallel, variantProject } from './agreement-helpers';

const project = variantProject('capsule-agreement-');
let server: TestServer;

interface ServerView { errors: Diagnostic[]; config: TaskConfig | null | undefined }

const all = variants();
const fileOf = (v: Variant) => join(project, `${v.id}.py`);

before(async () => {
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
    out.set(v.id, { errors: await errorsFor(server, uriOf(fileOf(v)), v.task, diags.get(v.id)!), config: tasks.length === 1 ? tasks[0]!.config : undefined });
  }
  return out;
}



test(`the language server and the CLI agree on ${all.length} decorator variants`, { timeout: 15 * 60_000 }, async () => {
  assert.ok(all.length >= 200, `only ${all.length} variants`);
  const seen = await serverView();
  const disagreements: string[] = [];
  const ran = new Map<string, Variant>();
  const results = await inParallel(all, 3, (v) => cliRun(project, `${v.id}.py`, v.task));
  for (const v of all) {
    const s = seen.get(v.id)!;
    const cli = results.get(v)!;
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
      const shown = { fuel: c.fuel, memoryLimitBytes: c.memoryLimitBytes, timeoutMs: c.timeoutMs, maxRetries: c.maxRetries };
      if (JSON.stringify(r.limits) !== JSON.stringify(shown)) disagreements.push(`${v.id}: ran with ${JSON.stringify(r.limits)}, the server shows ${JSON.stringify(shown)}`);
    }
  } finally {
    trace.close();
  }
  assert.deepEqual(disagreements, []);
  // Both outcomes are exercised.
  assert.ok(ran.size >= 50 && all.length - ran.size >= 50, `${ran.size} of ${all.length} ran`);
});
