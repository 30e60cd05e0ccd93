// E3: the project's .env is parsed strictly, line by line, read once per run and
// capped in size. Parser cases here; the sandbox and the CLI in the tests below
// and in cli-bad-input.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDotEnv, MAX_DOTENV_BYTES } from '../../runtime/src/capabilities/dotenv';
import { DotEnvError, loadDotEnv } from '../../runtime/src/capabilities/env';
import { Engine } from '../../runtime/src/engine';
import { tempDir } from '../temp-dir';

test('a stray quote never takes the following lines with it (the issue\'s .env)', () => {
  const r = parseDotEnv('GREETING="hello\nDB_PASSWORD=hunter2\nOTHER="x"\n');
  assert.deepEqual(r.values, { DB_PASSWORD: 'hunter2', OTHER: 'x' });
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0]!.line, 1);
  assert.match(r.warnings[0]!.message, /unterminated double quote.*the line is ignored/);
});

test('each malformed line is one warning with its line number; good lines around it still count', () => {
  const text = [
    '# comment',
    '',
    "A='single",
    'B=`back',
    'no equals sign',
    '1BAD=x',
    'C="closed" trailing',
    'D=ok',
    'export E="with \\"escapes\\"\\n"',
    "F='lit \\n eral' # note",
    'G=plain value # comment',
    'H=',
    '  I = spaced  ',
  ].join('\r\n');
  const r = parseDotEnv(text);
  assert.deepEqual(r.values, { D: 'ok', E: 'with "escapes"\n', F: 'lit \\n eral', G: 'plain value', H: '', I: 'spaced' });
  assert.deepEqual(r.warnings.map((w) => w.line), [3, 4, 5, 6, 7]);
  assert.match(r.warnings[0]!.message, /unterminated single quote/);
  assert.match(r.warnings[1]!.message, /unterminated back quote/);
  assert.match(r.warnings[2]!.message, /expected KEY=value/);
  assert.match(r.warnings[3]!.message, /"1BAD" is not a valid variable name/);
  assert.match(r.warnings[4]!.message, /unexpected text after the closing quote/);
});

test('.env over the size cap is a clear error, not read', () => {
  const root = tempDir('capsule-dotenv-');
  writeFileSync(join(root, '.env'), `BIG=${'x'.repeat(MAX_DOTENV_BYTES)}\n`);
  assert.throws(() => loadDotEnv(root), (e: unknown) => e instanceof DotEnvError && /\.env is 1\.0 MB; the limit is 1 MB/.test((e as Error).message));
});

function project(files: Record<string, string>): string {
  const root = tempDir('capsule-dotenv-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

test('in the sandbox: a task granted GREETING sees no other variable through a stray quote, and the warning names the line', async () => {
  const root = project({
    '.env': 'GREETING="hello\nDB_PASSWORD=hunter2\nOTHER="x"\n',
    'main.py': `from capsule import task
import os

@task(name="main", env_variables=["GREETING", "OTHER"])
def main() -> dict:
    return {"GREETING": os.getenv("GREETING"), "OTHER": os.getenv("OTHER"), "DB_PASSWORD": os.getenv("DB_PASSWORD")}
`,
  });
  const warnings: string[] = [];
  const engine = await Engine.create({ projectRoot: root, tracePath: null, onWarning: (m) => warnings.push(m) });
  try {
    const env = await engine.start({ file: join(root, 'main.py') }).result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    assert.deepEqual(env.result, { GREETING: null, OTHER: 'x', DB_PASSWORD: null });
    assert.deepEqual(warnings.filter((w) => w.includes('.env:')), [`${join(root, '.env')}:1: unterminated double quote: a value must close its quote on the same line; the line is ignored`]);
  } finally {
    await engine.dispose();
  }
});

test('.env is read once per run: sub-tasks see the values of the run\'s start, and the warning is said once', async () => {
  const root = project({
    '.env': 'TOKEN=first\nBROKEN="\n',
    'main.py': `from capsule import task
import os, time

@task(name="child", env_variables=["TOKEN"])
def child(i: int) -> str:
    return os.getenv("TOKEN")

@task(name="main", env_variables=["TOKEN"])
def main() -> list:
    out = [child(0)]
    time.sleep(1.5)  # the host rewrites .env meanwhile
    out += [child(i) for i in range(1, 4)]
    return out
`,
  });
  const warnings: string[] = [];
  const engine = await Engine.create({ projectRoot: root, tracePath: null, onWarning: (m) => warnings.push(m) });
  try {
    const handle = engine.start({ file: join(root, 'main.py') });
    const sub = handle.onEvent((e) => {
      if (e.taskName === 'child' && e.type === 'completed') {
        writeFileSync(join(root, '.env'), 'TOKEN=second\n');
        sub.dispose();
      }
    });
    const env = await handle.result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    assert.deepEqual(env.result, ['first', 'first', 'first', 'first']);
    assert.equal(warnings.filter((w) => w.includes('.env:2:')).length, 1, warnings.join('\n'));
    // The next run reads the new file.
    const next = await engine.start({ file: join(root, 'main.py'), taskName: 'child', args: [0] }).result;
    assert.equal(next.result, 'second');
  } finally {
    await engine.dispose();
  }
});

test('a name set neither in the environment nor in .env is warned once per run, for the root and its sub-tasks alike', async () => {
  const root = project({
    '.env': 'TOKEN=t\n',
    'main.py': `from capsule import task
import os

@task(name="child", env_variables=["TOKEN", "CAPSULE_TEST_UNSET_B"])
def child(i: int) -> bool:
    return os.getenv("CAPSULE_TEST_UNSET_B") is None

@task(name="main", env_variables=["TOKEN", "CAPSULE_TEST_UNSET_A", "CAPSULE_TEST_UNSET_B"])
def main() -> list:
    return [child(i) for i in range(3)]
`,
  });
  const warnings: string[] = [];
  const engine = await Engine.create({ projectRoot: root, tracePath: null, onWarning: (m) => warnings.push(m) });
  try {
    const env = await engine.start({ file: join(root, 'main.py') }).result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    assert.deepEqual(env.result, [true, true, true]);
    assert.deepEqual(warnings.filter((w) => w.includes('set neither')), [
      'task "main": env_variables "CAPSULE_TEST_UNSET_A", "CAPSULE_TEST_UNSET_B" are set neither in the environment nor in .env; the task sees them unset',
    ]);
  } finally {
    await engine.dispose();
  }
});

test('a root naming variables with an oversized .env is a configuration error before anything runs', async () => {
  const root = project({
    '.env': `BIG=${'x'.repeat(MAX_DOTENV_BYTES + 10)}\n`,
    'main.py': 'from capsule import task\n\n@task(name="main", env_variables=["BIG"])\ndef main() -> int:\n    return 1\n',
  });
  const engine = await Engine.create({ projectRoot: root, tracePath: null, onWarning: () => {} });
  try {
    await assert.rejects(engine.start({ file: join(root, 'main.py') }).result, /\.env: .*\.env is 1\.0 MB; the limit is 1 MB/);
  } finally {
    await engine.dispose();
  }
});
