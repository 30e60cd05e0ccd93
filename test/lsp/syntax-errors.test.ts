// A task file CPython will not compile: `capsule run` refuses it with CPython's message at
// file:line:col; the language server shows the same error at the same place, and no run
// lens (a run can only fail). The CLI, run through its main() on the same files, is the oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, uriOf } from './client';
import { cliRun, variantProject } from './agreement-helpers';

const HEAD = 'from capsule import task\n\n@task()\ndef main():\n';
const BROKEN: Record<string, string> = {
  'unclosed.py': `${HEAD}    x = (1,\n    return 2\n`,
  'no_body.py': `${HEAD}return 2\n`,
  'dangling.py': `${HEAD}    return 2 +\n`,
  'dedent.py': `${HEAD}    return 2\n  x = 1\n`,
  'unclosed_string.py': `${HEAD}    return "abc\n`,
};

test('a file that does not compile: the CLI\'s error at its line:col, and no run lens', async () => {
  const project = variantProject('capsule-syntax-');
  for (const [name, text] of Object.entries(BROKEN)) writeFileSync(join(project, name), text);
  writeFileSync(join(project, 'fine.py'), `${HEAD}    return 2\n`);
  const s = await startServer(project);
  try {
    for (const [name, text] of Object.entries(BROKEN)) {
      const cli = await cliRun(project, name, 'main');
      assert.equal(cli.code, 2, `${name}: ${cli.stderr}`);
      const m = new RegExp(`${name}:(\\d+):(\\d+): (\\w+Error: .*)$`, 'm').exec(cli.stderr);
      assert.ok(m, `${name}: the CLI said:\n${cli.stderr}`);
      const uri = uriOf(join(project, name));
      await s.open(uri, text, 1);
      // python3's answer comes after the first diagnostics: wait for the state, not a time.
      const shown = await s.waitFor(`${name}: syntax error shown`, () => s.diagnostics.get(uri)?.diagnostics.find((d) => /Error: /.test(String(d.message)) && !String(d.message).includes('invalid syntax (capsule')));
      assert.deepEqual({ line: shown.range.start.line + 1, column: shown.range.start.character + 1, message: shown.message }, { line: Number(m[1]), column: Number(m[2]), message: m[3] }, name);
      const lenses = (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri } })) as unknown[];
      assert.deepEqual(lenses, [], `${name}: no run lens`);
    }
    const fine = uriOf(join(project, 'fine.py'));
    await s.open(fine, `${HEAD}    return 2\n`, 1);
    assert.deepEqual(await s.diagnosticsFor(fine, 1), []);
    const lenses = (await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri: fine } })) as unknown[];
    assert.ok(lenses.length > 0, 'a file that compiles has its lenses');
  } finally {
    await s.stop();
  }
});

test('python3\'s answer asks the client for lenses again only when it changes whether the file compiles', async () => {
  // A lens refresh makes VS Code drop the commands of the lenses it shows: a click landing
  // then fails ("Actual command not found"), so none is asked for without a change.
  const project = variantProject('capsule-lens-refresh-');
  const fine = `${HEAD}    return 2\n`;
  const refused = 'from capsule import task\n\n@task()\ndef main(a, a):\n    return 2\n'; // tree-sitter reads it; CPython does not
  writeFileSync(join(project, 'fine.py'), fine);
  writeFileSync(join(project, 'refused.py'), refused);
  const s = await startServer(project);
  try {
    // The first index ends with one refresh of its own.
    await s.waitFor('the first index', () => s.notifications.find((n) => n.method === 'capsule/serverStatus'));
    const before = s.lensRefreshes;
    const fineUri = uriOf(join(project, 'fine.py'));
    await s.open(fineUri, fine, 1);
    await s.diagnosticsFor(fineUri, 1);
    const first = s.diagnostics.get(fineUri);
    // python3's answer publishes the file's diagnostics again (the same, as a new message).
    await s.waitFor('python3\'s answer on fine.py', () => s.diagnostics.get(fineUri) !== first);
    const refusedUri = uriOf(join(project, 'refused.py'));
    await s.open(refusedUri, refused, 1);
    await s.waitFor('python3\'s error on refused.py', () => s.diagnostics.get(refusedUri)?.diagnostics.some((d) => /duplicate argument/.test(String(d.message))));
    await s.waitFor('a lens refresh for refused.py', () => s.lensRefreshes > before);
    // One python3 answers in order: fine.py's answer came first, and asked for none.
    assert.equal(s.lensRefreshes, before + 1);
    assert.deepEqual(await s.rpc.sendRequest('textDocument/codeLens', { textDocument: { uri: refusedUri } }), [], 'no run lens on a file python3 refuses');
  } finally {
    await s.stop();
  }
});
