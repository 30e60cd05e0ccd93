// The project's .env in the editor: the lines `capsule run` skips are warnings on those
// lines, with the very messages the CLI prints after "<root>/.env:<line>: " (the CLI's
// run is the oracle, through its main(), on the same file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, uriOf } from './client';
import { cliRun, variantProject } from './agreement-helpers';

const ENV = [
  'GOOD=1',
  'BROKEN="no closing quote',
  'just words',
  '1BAD=2',
  'QUOTED="ok" trailing',
  'export ALSO_GOOD=yes',
  '',
].join('\n');

test('a .env is checked as the runtime reads it: same lines, same messages as capsule run', async () => {
  const project = variantProject('capsule-dotenv-');
  writeFileSync(join(project, '.env'), ENV);
  writeFileSync(join(project, 'main.py'), 'from capsule import task\n\n@task(env_variables=["GOOD"])\ndef main():\n    return 1\n');
  const cli = await cliRun(project, 'main.py', 'main');
  assert.equal(cli.code, 0, cli.stderr);
  const said = [...cli.stderr.matchAll(/\.env:(\d+): (.*)$/gm)].map((m) => ({ line: Number(m[1]) - 1, message: m[2]! }));
  assert.ok(said.length >= 3, `the CLI warned about ${said.length} lines:\n${cli.stderr}`);

  const s = await startServer(project);
  try {
    const uri = uriOf(join(project, '.env'));
    await s.open(uri, ENV, 1);
    const shown = (await s.diagnosticsFor(uri, 1)).map((d) => ({ line: d.range.start.line, message: d.message }));
    assert.deepEqual(shown, said);
    // Fixed in the editor: the warnings go.
    await s.change(uri, 2, [{ text: 'GOOD=1\nexport ALSO_GOOD=yes\n' }]);
    assert.deepEqual(await s.diagnosticsFor(uri, 2), []);
  } finally {
    await s.stop();
  }
});
