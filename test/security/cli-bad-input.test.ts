// The CLI under bad input, through the built bundle: capsule.toml mistakes are
// the language server's diagnostics (file:line:col, exit 2); .env problems are
// warnings with a line number or a clear error; a corrupt trace.db is moved aside
// once; killed runs show as interrupted, and are on record once their code runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { validateCapsuleToml } from '../../runtime/src/config/toml';
import { Engine } from '../../runtime/src/engine';
import { tempDir } from '../temp-dir';

const BIN = resolve('bin/capsule.js');

function capsule(args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const HELLO = 'from capsule import task\n\n@task(name="main")\ndef main() -> str:\n    return "hello"\n';

function project(files: Record<string, string> = {}): string {
  const root = tempDir('capsule-badinput-');
  writeFileSync(join(root, 'hello.py'), HELLO);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

const NO_STACK = /^\s+at |internal error/m;

for (const [label, toml, expected] of [
  ['an unknown key', '[tasks]\ntimeout = "1s"\n', /capsule\.toml:2:1: unknown key "timeout" in \[tasks\] \(did you mean "default_timeout"\?\)/],
  ['an unknown table', '[task]\ndefault_timeout = "1s"\n', /capsule\.toml:1:1: unknown table "task" \(did you mean \[tasks\]\?\)/],
  ['a mistyped key with a wrong type', '[tasks]\ncompute = 5\n', /capsule\.toml:2:1: unknown key "compute" in \[tasks\] \(did you mean "default_compute"\?\)/],
  ['a wrong type', '[tasks]\ndefault_compute = 5\n', /capsule\.toml:2:\d+: tasks\.default_compute must be a string/],
  ['a negative retry count', '[tasks]\ndefault_max_retries = -1\n', /capsule\.toml:2:\d+: tasks\.default_max_retries: max_retries -1 is negative/],
] as const) {
  test(`capsule.toml with ${label}: the language server's diagnostic, exit 2, nothing run`, () => {
    const root = project({ 'capsule.toml': toml });
    const r = capsule(['run', 'hello.py'], root);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, expected);
    // The same rules as the editor's: every error the validator finds is printed, at its place.
    for (const p of validateCapsuleToml(toml, { projectRoot: root }).problems) {
      assert.ok(r.err.includes(`capsule.toml:${p.line}:${p.column}: ${p.message}`), `${p.message}\n--- stderr:\n${r.err}`);
    }
    assert.match(r.err, /configuration error; nothing was run/);
    assert.doesNotMatch(r.out, /hello/);
    assert.doesNotMatch(r.err, NO_STACK);
  });
}

test('.env with a stray quote: the CLI warns with the line number, runs, and the granted variable leaks nothing', () => {
  const root = project({
    '.env': 'GREETING="hello\nDB_PASSWORD=hunter2\nOTHER="x"\n',
    'env.py': 'from capsule import task\nimport os\n\n@task(name="main", env_variables=["GREETING", "OTHER"])\ndef main() -> str:\n    return repr(dict(os.environ))\n',
  });
  const r = capsule(['run', 'env.py', '--json'], root);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /\.env:1: unterminated double quote: a value must close its quote on the same line; the line is ignored/);
  const result = JSON.parse(r.out).result as string;
  assert.doesNotMatch(result, /hunter2|DB_PASSWORD/);
  assert.match(result, /'OTHER': 'x'/);
});

test('.env over 1 MB: a clear configuration error, exit 2', () => {
  const root = project({
    '.env': `BIG=${'x'.repeat(1024 * 1024)}\n`,
    'env.py': 'from capsule import task\n\n@task(name="main", env_variables=["BIG"])\ndef main() -> int:\n    return 1\n',
  });
  const r = capsule(['run', 'env.py'], root);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /\.env is 1\.0 MB; the limit is 1 MB/);
});

function corruptions(): Array<[string, (db: string) => void]> {
  return [
    ['random bytes', (db) => writeFileSync(db, randomBytes(64 * 1024))],
    ['truncated', (db) => truncateSync(db, Math.floor(readFileSync(db).length / 3))],
  ];
}

for (const [label, corrupt] of corruptions()) {
  test(`a ${label} trace.db: capsule run moves it aside once and keeps a new history; capsule history never shows a stack`, () => {
    const root = project();
    // A real trace with some runs, then damaged.
    for (let i = 0; i < 3; i++) assert.equal(capsule(['run', 'hello.py'], root).code, 0);
    const db = join(root, '.capsule', 'trace.db');
    corrupt(db);
    const first = capsule(['run', 'hello.py'], root);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /hello/);
    assert.equal((first.err.match(/was corrupt/g) ?? []).length, 1, first.err);
    assert.match(first.err, /moved to .*trace\.db\.corrupt-\d{4}-\d\d-\d\dT/);
    assert.equal(readdirSync(join(root, '.capsule')).filter((f) => /^trace\.db\.corrupt-/.test(f) && !/-(journal|wal|shm)$/.test(f)).length, 1);
    const second = capsule(['run', 'hello.py'], root);
    assert.equal(second.code, 0);
    assert.doesNotMatch(second.err, /corrupt|without a trace/);
    const h = capsule(['history'], root);
    assert.equal(h.code, 0, h.err);
    assert.equal(h.out.trim().split('\n').length, 2, h.out);
    assert.doesNotMatch(h.err + h.out, NO_STACK);
  });

  test(`capsule history on a ${label} trace.db: a clear message, no stack trace, a fresh trace`, () => {
    const root = project();
    assert.equal(capsule(['run', 'hello.py'], root).code, 0);
    corrupt(join(root, '.capsule', 'trace.db'));
    const h = capsule(['history'], root);
    assert.doesNotMatch(h.err + h.out, NO_STACK);
    assert.equal(h.code, 0, h.err);
    assert.match(h.err, /the trace .*trace\.db was corrupt .*moved to .*trace\.db\.corrupt-/);
    assert.match(h.err, /no runs yet/);
  });
}

test('the extension\'s path (the engine) recovers from a corrupt trace.db the same way, and says it once', async () => {
  const root = project();
  mkdirSync(join(root, '.capsule'));
  writeFileSync(join(root, '.capsule', 'trace.db'), randomBytes(10_000));
  const warnings: string[] = [];
  const engine = await Engine.create({ projectRoot: root, onWarning: (m) => warnings.push(m) });
  try {
    for (let i = 0; i < 2; i++) assert.equal((await engine.start({ file: join(root, 'hello.py') }).result).result, 'hello');
    assert.equal((await engine.history()).length, 2);
  } finally {
    await engine.dispose();
  }
  assert.equal(warnings.filter((w) => /was corrupt/.test(w)).length, 1, warnings.join('\n'));
  assert.ok(readdirSync(join(root, '.capsule')).some((f) => f.startsWith('trace.db.corrupt-')));
});

test('a CLI killed while its task runs: the run is on record once its code has started, and history shows it interrupted', async () => {
  const root = project({
    'slow.py': 'from capsule import task\nimport time\n\n@task(name="main")\ndef main() -> str:\n    print("started", flush=True)\n    time.sleep(60)\n    return "x"\n',
  });
  const child = spawn(process.execPath, [BIN, 'run', 'slow.py'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  // Kill it the moment the task's first line is out: no later write may be needed for the record.
  await new Promise<void>((resolveStarted, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('started')) resolveStarted();
    });
    child.on('exit', () => reject(new Error('the CLI ended before the task started')));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(existsSync(join(root, '.capsule', 'trace.db')));
  const h = capsule(['history', '--json'], root);
  assert.equal(h.code, 0, h.err);
  const runs = JSON.parse(h.out) as Array<{ state: string; file: string; message: string | null }>;
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.file, 'slow.py');
  assert.equal(runs[0]!.state, 'interrupted');
  assert.match(runs[0]!.message ?? '', /the process running it \(pid \d+\) ended before the task did/);
});
