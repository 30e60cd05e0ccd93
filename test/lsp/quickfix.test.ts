// Every quick fix the server offers on the agreement variants is applied, and the result
// is checked by the server and the CLI: the fixed problem is gone, no new error appears,
// the two agree on the fixed file, and where that problem was the task's only error, the
// fixed task runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { FIX_ROWS, variants, type Variant } from './agreement-variants';
import { CONFIG_FAILURE, cliRun, errorsFor, inParallel, variantProject } from './agreement-helpers';
import { startServer, uriOf, type TestServer } from './client';

const project = variantProject('capsule-quickfix-');
let server: TestServer;

before(async () => {
  server = await startServer(project);
});
after(async () => {
  await server?.stop();
  rmSync(project, { recursive: true, force: true });
});

interface Fixed { id: string; variant: Variant; title: string; fixed: Diagnostic; text: string; errorsBefore: number }

function apply(text: string, action: CodeAction, uri: string): string {
  const edits = action.edit?.changes?.[uri] ?? [];
  return TextDocument.applyEdits(TextDocument.create(uri, 'python', 1, text), edits);
}

test('every quick fix offered on the variants gives code the server and the CLI accept', { timeout: 15 * 60_000 }, async (t) => {
  const fixes: Fixed[] = [];
  for (const v of variants()) {
    const uri = uriOf(join(project, `${v.id}.py`));
    writeFileSync(join(project, `${v.id}.py`), v.source);
    await server.open(uri, v.source, 1);
    const diags = await server.diagnosticsFor(uri, 1);
    const errorsBefore = (await errorsFor(server, uri, v.task, diags)).length;
    for (const d of diags) {
      const actions = (await server.rpc.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
      actions.forEach((a, k) => fixes.push({ id: `${v.id}-fix${fixes.length}-${k}`, variant: v, title: a.title, fixed: d, text: apply(v.source, a, uri), errorsBefore }));
    }
    await server.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
  assert.ok(fixes.length >= 40, `only ${fixes.length} fixes offered`);

  const problems: string[] = [];
  const runnable: Fixed[] = [];
  const verdicts = new Map<Fixed, { errors: Diagnostic[] & { listed?: boolean }; all: Diagnostic[] }>();
  for (const f of fixes) {
    const file = join(project, `${f.id}.py`);
    writeFileSync(file, f.text);
    await server.open(uriOf(file), f.text, 1);
    const all = await server.diagnosticsFor(uriOf(file), 1);
    // A fix may rename the task (name=...): its own errors are looked up under the name it runs as.
    verdicts.set(f, { errors: await errorsFor(server, uriOf(file), f.variant.task, all), all });
  }
  const results = await inParallel(fixes, 3, (f) => cliRun(project, `${f.id}.py`, f.variant.task));
  for (const f of fixes) {
    const { errors, all } = verdicts.get(f)!;
    const cli = results.get(f)!;
    const label = `${f.variant.id} "${f.title}"`;
    const text = () => JSON.stringify(f.text.split('\n').find((l) => l.includes('@task')) ?? '');
    if (all.some((d) => d.message === f.fixed.message && d.range.start.line === f.fixed.range.start.line)) problems.push(`${label}: the problem is still there: ${f.fixed.message} (${text()})`);
    if (errors.length > f.errorsBefore - (f.fixed.severity === 1 ? 1 : 0) && errors.length > 0) {
      problems.push(`${label}: new errors: ${errors.map((d) => d.message).join(' | ')} (${text()})`);
    }
    // A fix may change which task exists ("Remove this @task" keeps the outer name).
    const serverRuns = errors.length === 0 && errors.listed === true;
    const cliRuns = cli.code !== 2;
    if (serverRuns !== cliRuns) problems.push(`${label}: server ${serverRuns ? 'accepts' : 'refuses'}, CLI ${cliRuns ? 'runs' : `refuses: ${cli.stderr.trim()}`} (${text()})`);
    if (cli.envelope && !cli.envelope.success && CONFIG_FAILURE.test(cli.envelope.error?.message ?? '')) problems.push(`${label}: the fixed run failed for a configuration reason: ${cli.envelope.error?.message}`);
    if (f.errorsBefore === 1 && f.fixed.severity === 1 && errors.listed && !cliRuns) problems.push(`${label}: fixed the task's only error, yet the CLI refuses it: ${cli.stderr.trim()}`);
    if (cliRuns) runnable.push(f);
  }
  t.diagnostic(`${fixes.length} fixes applied; ${runnable.length} of the fixed tasks ran`);
  assert.deepEqual(problems, []);
  assert.ok(runnable.length >= 20, `${runnable.length} fixed tasks ran`);
});

/** Per audit row, every fix offered, in order: `title -> the decorator after it`. */
const EXPECTED: Record<keyof typeof FIX_ROWS, string[]> = {
  'qf-only-comma': ['Remove unknown parameter "colour" -> @task()'],
  'qf-only-comma-space': ['Remove unknown parameter "colour" -> @task()'],
  'qf-only-lines': ['Remove unknown parameter "colour" -> @task()'],
  'qf-only-comment': ['Remove unknown parameter "colour" -> @task()'],
  'qf-compte-comma': ['Rename to "compute" -> @task(compute="LOW",)', 'Remove unknown parameter "compte" -> @task()'],
  'qf-positional-comma': ['Remove the positional argument -> @task()'],
  'qf-last-lines': ['Remove unknown parameter "colour" -> @task(\n    compute="LOW",\n)'],
  'qf-timeout-s': ['Rename to timeout="30s" -> @task(timeout="30s")', 'Remove unknown parameter "timeout_s" -> @task()'],
  'qf-timeout-ms': ['Rename to timeout="500ms" -> @task(timeout="500ms")', 'Remove unknown parameter "timeout_ms" -> @task()'],
  'qf-timout-30': ['Rename to timeout="30s" -> @task(timeout="30s")', 'Remove unknown parameter "timout" -> @task()'],
  'qf-ram-mb': ['Rename to ram="64MB" -> @task(ram="64MB")', 'Remove unknown parameter "ram_mb" -> @task()'],
  'qf-ram-mb-str': ['Rename to ram="64MB" -> @task(ram="64MB")', 'Remove unknown parameter "ram_mb" -> @task()'],
  'qf-memory-64': ['Rename to ram="64MB" -> @task(ram="64MB")', 'Remove unknown parameter "memory" -> @task()'],
  'qf-max-retry-str': ['Rename to max_retries=3 -> @task(max_retries=3)', 'Remove unknown parameter "max_retry" -> @task()'],
  'qf-hosts-str': ['Rename to allowed_hosts=["example.com"] -> @task(allowed_hosts=["example.com"])', 'Remove unknown parameter "hosts" -> @task()'],
  'qf-fuel': ['Rename to compute="1000" -> @task(compute="1000")', 'Remove unknown parameter "fuel" -> @task()'],
  'qf-compte-ultra': ['Remove unknown parameter "compte" -> @task()'],
  'qf-hosts-not-list': ['Change to ["example.com"] -> @task(allowed_hosts=["example.com"])'],
  'qf-envs': ['Rename to "env_variables" -> @task(env_variables=["HOME"])', 'Remove unknown parameter "envs" -> @task()'],
  'qf-env-vars': ['Rename to "env_variables" -> @task(env_variables=["HOME"])', 'Remove unknown parameter "env_vars" -> @task()'],
  'qf-cpu': ['Rename to "compute" -> @task(compute="LOW")', 'Remove unknown parameter "cpu" -> @task()'],
  'qf-files-set': [],
  'qf-hosts-call': [],
  'qf-env-set': [],
  'qf-host-http-slash': ['Change to "example.com" -> @task(allowed_hosts=["example.com"])'],
  'qf-host-no-colon': ['Change to "example.com" -> @task(allowed_hosts=["example.com"])'],
  'qf-host-slashes': ['Change to "example.com" -> @task(allowed_hosts=["example.com"])'],
  'qf-host-no-host': [],
  'qf-host-port-only': [],
  'qf-host-idn': ['Change to "xn--r8jz45g.jp" -> @task(allowed_hosts=["xn--r8jz45g.jp"])'],
  'qf-host-wild-dot': [],
  'qf-host-tld': [],
  'qf-host-tld-dot': [],
  'qf-timeout-tiny': [],
  'qf-timeout-huge': [],
  'qf-ram-8': [],
  'qf-ram-bare-float': ['Change to "1.5GB" -> @task(ram="1.5GB")'],
  'qf-ram-64b': ['Change to "64MB" -> @task(ram="64MB")', 'Change to "16MB" -> @task(ram="16MB")'],
  'qf-ram-128b': ['Change to "128MB" -> @task(ram="128MB")', 'Change to "16MB" -> @task(ram="16MB")'],
  'qf-ram-512b': ['Change to "512MB" -> @task(ram="512MB")', 'Change to "16MB" -> @task(ram="16MB")'],
  'qf-retries-negative': ['Change to 3 -> @task(max_retries=3)', 'Change to 0 -> @task(max_retries=0)'],
  'qf-env-lower': ['Change to "API_KEY" -> @task(env_variables=["API_KEY"])', 'Change to "api_key" -> @task(env_variables=["api_key"])'],
  'qf-retries-alias-negative': ['Rename to max_retries=3 -> @task(max_retries=3)', 'Rename to max_retries=0 -> @task(max_retries=0)', 'Remove unknown parameter "retries" -> @task()'],
};

test('the audit\'s rows get the fixes the user most likely meant, best first, and no others', async () => {
  const byId = new Map(variants().map((v) => [v.id, v]));
  const wrong: string[] = [];
  for (const [id, want] of Object.entries(EXPECTED)) {
    const v = byId.get(id)!;
    const uri = uriOf(join(project, `${id}-expected.py`));
    await server.open(uri, v.source, 1);
    const got: string[] = [];
    for (const d of await server.diagnosticsFor(uri, 1)) {
      const actions = (await server.rpc.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
      for (const a of actions) {
        const text = apply(v.source, a, uri);
        got.push(`${a.title} -> ${text.slice(text.indexOf('@task'), text.indexOf('\ndef main'))}`);
      }
    }
    await server.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
    try {
      assert.deepEqual(got, want);
    } catch {
      wrong.push(`${id} (${JSON.stringify(FIX_ROWS[id])}): got ${JSON.stringify(got)}`);
    }
  }
  assert.deepEqual(wrong, []);
});
