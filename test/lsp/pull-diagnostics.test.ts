// A client that pulls diagnostics (LSP 3.17 textDocument/diagnostic, as VS Code's client
// does) gets the same diagnostics a pushing client gets, with a resultId; while they stay
// the same (an edit in a body) the report is "unchanged", not the whole list again. The
// oracle is the same server pushing them to a client that does not pull.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic, DocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { startServer, uriOf, type TestServer } from './client';
import { variantProject } from './agreement-helpers';

const TEXT = `from capsule import task

@task(compute="ultra", ram="256MB")
def first(x):
    return x + 1

@task(compute="LOW", ram="1TB", timeout="30s")
def second(x):
    return first(x)

@task(compute="LOW")
def fine(x):
    return x
`;

type Change = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };
const at = (line: number, character: number, text: string, length = 0): Change => ({ range: { start: { line, character }, end: { line, character: character + length } }, text });

function pullOf(s: TestServer, uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
  return s.rpc.sendRequest('textDocument/diagnostic', { textDocument: { uri }, ...(previousResultId ? { previousResultId } : {}) }) as Promise<DocumentDiagnosticReport>;
}

const items = (r: DocumentDiagnosticReport): Diagnostic[] => {
  assert.equal(r.kind, 'full', 'a full report');
  return (r as { items: Diagnostic[] }).items;
};

test('pulled diagnostics equal pushed ones; "unchanged" while they stay the same', async () => {
  const project = variantProject('capsule-pull-');
  writeFileSync(join(project, 'tasks.py'), TEXT);
  const uri = uriOf(join(project, 'tasks.py'));
  const push = await startServer(project);
  const pull = await startServer(project, {}, undefined, { pull: true });
  try {
    await push.open(uri, TEXT);
    await pull.open(uri, TEXT);
    const pushed = await push.diagnosticsFor(uri, 1);
    assert.ok(pushed.length >= 2, `the bad compute and ram are flagged: ${JSON.stringify(pushed)}`);
    let report = await pullOf(pull, uri);
    assert.deepEqual(items(report), pushed);
    let id = report.resultId;
    assert.ok(id, 'a full report carries a resultId');

    // Nothing changed: unchanged, same id.
    report = await pullOf(pull, uri, id);
    assert.deepEqual(report, { kind: 'unchanged', resultId: id });

    // In a body, and a comment: the diagnostics stay, so the report is "unchanged".
    let version = 1;
    for (const change of [at(4, 16, ' * 2'), at(12, 12, '  # same')]) {
      version++;
      await push.change(uri, version, [change]);
      await pull.change(uri, version, [change]);
      assert.deepEqual(await push.diagnosticsFor(uri, version), pushed, 'the pushing client gets the same list again');
      report = await pullOf(pull, uri, id);
      assert.deepEqual(report, { kind: 'unchanged', resultId: id });
    }

    // A value, then lines moved: a full report with a new id, equal to what is pushed.
    for (const change of [at(2, 15, 'U', 1), at(0, 0, '\n\n')]) {
      version++;
      await push.change(uri, version, [change]);
      await pull.change(uri, version, [change]);
      const now = await push.diagnosticsFor(uri, version);
      report = await pullOf(pull, uri, id);
      assert.deepEqual(items(report), now);
      assert.notEqual(report.resultId, id, 'changed diagnostics get a new resultId');
      id = report.resultId;
    }
    assert.equal(pull.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics').length, 0, 'a pulling client gets no pushed diagnostics for Python files');
  } finally {
    await push.stop();
    await pull.stop();
    rmSync(project, { recursive: true, force: true });
  }
});

test('a syntax error found after the pull (python3 answers later) makes the server ask for a new pull', async () => {
  const project = variantProject('capsule-pull-syntax-');
  const text = 'from capsule import task\n\n@task()\ndef main():\n    x = (1,\n    return 2\n';
  writeFileSync(join(project, 'broken.py'), text);
  const uri = uriOf(join(project, 'broken.py'));
  const push = await startServer(project);
  const pull = await startServer(project, {}, undefined, { pull: true });
  try {
    await push.open(uri, text);
    await pull.open(uri, text);
    const isError = (d: Diagnostic) => /Error: /.test(String(d.message));
    // The pushing client's final list (python3's answer included) is the oracle.
    const pushed = await push.waitFor('the syntax error pushed', () => {
      const d = push.diagnostics.get(uri)?.diagnostics;
      return d?.some(isError) ? d : undefined;
    });
    // Pull, and again each time the server asks (it also asks once its index is built),
    // until the error is there: without a refresh after python3's answer, this times out.
    let asked = pull.diagnosticRefreshes;
    let got = items(await pullOf(pull, uri));
    while (!got.some(isError)) {
      await pull.waitFor('workspace/diagnostic/refresh', () => pull.diagnosticRefreshes > asked);
      asked = pull.diagnosticRefreshes;
      got = items(await pullOf(pull, uri));
    }
    assert.deepEqual(got, pushed);
  } finally {
    await push.stop();
    await pull.stop();
    rmSync(project, { recursive: true, force: true });
  }
});
