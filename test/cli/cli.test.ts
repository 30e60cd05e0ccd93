// The CLI's own behaviour, through the built bundle (bin/capsule.js -> dist/cli.js):
// help, version, usage and config errors with exit code 2, colour rules, build caching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/capsule.js');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

function capsule(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (!opts.env || !('FORCE_COLOR' in opts.env)) delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? process.cwd(), env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tempProject(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-cli-'));
  cpSync('test/cli/fixtures/badproj', dir, { recursive: true });
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('--help and --version exit 0', () => {
  const help = capsule(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /usage: capsule <command>/);
  for (const cmd of ['run', 'build', 'exec', 'history']) assert.match(help.out, new RegExp(`^  ${cmd}\\b`, 'm'));
  const v = capsule(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.out.trim(), pkg.version);
});

test('usage errors exit 2 with a specific message', () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['run', '--bogus'], /Unknown option '--bogus'/],
    [['run', 'no/such/file.py'], /no\/such\/file\.py: no such file/],
    [['run', 'a.py', 'b.py'], /one file at a time/],
    [['history', '--limit', 'zero'], /--limit must be a whole number/],
    [['exec'], /give one artifact/],
    [['exec', 'nowhere'], /no manifest\.json there/],
  ];
  for (const [args, pattern] of cases) {
    const r = capsule(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, pattern);
  }
});

test('a config error is reported as file:line:col before anything runs, exit 2', () => {
  const p = tempProject();
  try {
    const r = capsule(['run'], { cwd: p.dir, env: { NO_COLOR: '1' } });
    assert.equal(r.code, 2, r.err);
    // compute="SUPER" is on line 4, column 28 (1-based, the value) of bad.py.
    assert.match(r.err, new RegExp(`${join(p.dir, 'bad.py').replace(/[.]/g, '\\.')}:4:28: task "main": compute "SUPER" is not a level`));
    assert.match(r.err, /nothing was run/);
    assert.equal(r.out, '');
    assert.equal(existsSync(join(p.dir, '.capsule', 'trace.db')), false, 'nothing ran, so nothing is traced');
  } finally {
    p.done();
  }
});

test('a missing task names the tasks that exist, exit 2', () => {
  const p = tempProject();
  try {
    const r = capsule(['run', 'two.py'], { cwd: p.dir });
    assert.equal(r.code, 2);
    assert.match(r.err, /no task named "main" in two\.py; its tasks are "first", "second"/);
  } finally {
    p.done();
  }
});

test('an --args-file that is not JSON is a usage error', () => {
  const p = tempProject();
  try {
    writeFileSync(join(p.dir, 'args.json'), '{nope');
    const r = capsule(['run', 'two.py', '--task', 'first', '--args-file', 'args.json'], { cwd: p.dir });
    assert.equal(r.code, 2);
    assert.match(r.err, /--args-file args\.json: .*expected a JSON list of positional arguments/);
  } finally {
    p.done();
  }
});

test('colour: on with FORCE_COLOR, off with NO_COLOR', () => {
  const p = tempProject();
  try {
    const forced = capsule(['run', 'two.py'], { cwd: p.dir, env: { FORCE_COLOR: '1' } });
    assert.match(forced.err, /\u001b\[31m/);
    const plain = capsule(['run', 'two.py'], { cwd: p.dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    assert.doesNotMatch(plain.err, /\u001b\[/);
  } finally {
    p.done();
  }
});

test('build caches by source fingerprint and says what it rebuilt; exec refuses a stale artifact', () => {
  const p = tempProject();
  try {
    const first = capsule(['build', 'two.py'], { cwd: p.dir, env: { NO_COLOR: '1' } });
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^built two\.py \(fingerprint [0-9a-f]{16}, 4 source files, 0 package files, tasks: first, second; no import snapshot needed: [^)]*\): first build/);
    const again = capsule(['build', 'two.py'], { cwd: p.dir, env: { NO_COLOR: '1' } });
    assert.match(again.out, /^up to date two\.py/);
    const artifact = /-> (\S+)$/m.exec(again.out)?.[1];
    assert.ok(artifact);
    writeFileSync(join(p.dir, 'two.py'), `${readFileSync(join(p.dir, 'two.py'), 'utf8')}\n# edited\n`);
    const stale = capsule(['exec', artifact!], { cwd: p.dir });
    assert.equal(stale.code, 2);
    assert.match(stale.err, /is stale: the sources changed since it was built \(changed two\.py\)/);
    const rebuilt = capsule(['build', 'two.py'], { cwd: p.dir, env: { NO_COLOR: '1' } });
    assert.match(rebuilt.out, /^built two\.py .*: two\.py changed/);
    const fresh = /-> (\S+)$/m.exec(rebuilt.out)?.[1];
    const ran = capsule(['exec', fresh!, '--task', 'second', '--json'], { cwd: p.dir });
    assert.equal(ran.code, 0, ran.err);
    assert.equal(JSON.parse(ran.out).result, 2);
    const missing = capsule(['exec', fresh!], { cwd: p.dir });
    assert.equal(missing.code, 2);
    assert.match(missing.err, /the artifact has no task "main"; it has "first", "second"/);
  } finally {
    p.done();
  }
});

test('build reports config errors as file:line:col, exit 2', () => {
  const p = tempProject();
  try {
    const r = capsule(['build'], { cwd: p.dir });
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.py:4:28: task "main": compute "SUPER"/);
  } finally {
    p.done();
  }
});

test('--mount HOST::GUEST[:ro] grants a host directory to the task', () => {
  const p = tempProject();
  const data = mkdtempSync(join(tmpdir(), 'capsule-mount-'));
  try {
    writeFileSync(join(data, 'in.txt'), 'mounted text\n');
    const r = capsule(['run', 'reader.py', '--json', '--mount', `${data}::/data:ro`], { cwd: p.dir });
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).result, 'mounted text');
    const bad = capsule(['run', 'reader.py', '--mount', `${data}:/data`], { cwd: p.dir });
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--mount .*expected HOST::GUEST\[:ro\]/);
  } finally {
    p.done();
    rmSync(data, { recursive: true, force: true });
  }
});
