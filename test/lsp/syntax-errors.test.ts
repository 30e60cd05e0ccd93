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
