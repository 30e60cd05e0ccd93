// Import snapshots: after a task runs, its file's leading imports
// are replayed once in a sandbox granted nothing but the project's code and
// packages, and later tasks of that file start from that memory. Checked
// here: results stay native python3's (the oracle is the project virtualenv's
// own python), a LOW task can import yaml once the snapshot exists, a changed
// file is never served stale, environment reads and grants that could change
// an import's outcome keep the snapshot out, and a snapshot or bytecode the
// host did not seal (a crafted .capsule/) is never loaded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../runtime/src/engine';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { leadingImports } from '../../runtime/src/sandbox/snapshot/leading-imports';
import { SANDBOX_PYC_MAGIC } from '../../runtime/src/sandbox/pycache';
import { validateSpec } from '../../runtime/src/sandbox/validate';
import { FUEL, runTask, spec } from './sandbox-helpers';
import { tempDir } from '../temp-dir';

const DIST = '/usr/lib/python3/dist-packages';
const SITE = (root: string) => join(root, '.venv', 'lib', 'python3.11', 'site-packages');

/** A real virtualenv with Debian's pyparsing, PyYAML (pure mode in the sandbox), pygments, and two small packages of our own. */
function makeProject(): string {
  const root = tempDir('capsule-snap-');
  execFileSync('python3', ['-m', 'venv', '--without-pip', join(root, '.venv')]);
  const site = SITE(root);
  for (const p of ['yaml', 'pyparsing', 'pygments']) cpSync(join(DIST, p), join(site, p), { recursive: true, filter: (s) => !s.includes('__pycache__') });
  // Reads the environment and a data file at import: what a snapshot must not freeze.
  mkdirSync(join(site, 'confmod'));
  writeFileSync(join(site, 'confmod', '__init__.py'), [
    'import os',
    'LEVEL = os.environ.get("CONFMOD_LEVEL", "default")',
    'try:',
    '    with open("data/conf.txt") as f:',
    '        FILE = f.read()',
    'except OSError as e:',
    '    FILE = type(e).__name__',
  ].join('\n') + '\n');
  writeFileSync(join(site, 'marker.py'), 'MARK = 1\n');
  writeFileSync(join(root, 'tasks.py'), TASKS);
  writeFileSync(join(root, 'conf_tasks.py'), 'import confmod\nfrom capsule import task\n\n@task(name="conf")\ndef conf():\n    return [confmod.LEVEL, confmod.FILE]\n');
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'conf.txt'), 'from the data grant');
  return root;
}

const TASKS = `"""Tasks whose file imports packages at the top."""
import json
import yaml
import pyparsing as pp
from pygments.lexers.python import PythonLexer
import marker
from capsule import task

def use():
    doc = yaml.safe_load("a: [1, 2, {b: c}]\\nd: 2026-11-27\\n")
    return {
        "yaml": yaml.safe_dump(doc, sort_keys=True),
        "pyparsing": pp.delimited_list(pp.Word(pp.nums)).parse_string("1, 2, 3").as_list(),
        "pygments": PythonLexer.name,
        "marker": marker.MARK,
    }

def highlight():
    return [(str(t), v) for t, v in PythonLexer().get_tokens("def f(x):\\n    return x + 1\\n")]

@task(name="high", compute="HIGH")
def high():
    return dict(use(), tokens=highlight())

@task(name="low", compute="LOW")
def low():
    return use()
`;

/** The same function under the virtualenv's own python3 (native CPython 3.11), with the SDK on its path. */
function native(root: string, which: 'low' | 'high'): unknown {
  const sdk = join(__dirname, '..', '..', 'python-sdk');
  const out = execFileSync(join(root, '.venv', 'bin', 'python3'), ['-B', '-X', 'utf8', '-c', `import json, sys; sys.path[:0] = [${JSON.stringify(sdk)}, "."]; import tasks; print(json.dumps(tasks.use() if sys.argv[1] == "low" else dict(tasks.use(), tokens=tasks.highlight())))`, which], {
    cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  return JSON.parse(out);
}

async function runEngine(root: string, taskName: string): Promise<{ result: unknown; fuel: number; ok: boolean; error?: unknown }> {
  const e = await Engine.create({ projectRoot: root, tracePath: null });
  try {
    const env = await e.start({ file: 'tasks.py', taskName }).result;
    return { result: env.result, fuel: env.execution.fuel_consumed, ok: env.success, error: env.error };
  } finally {
    await e.dispose(); // waits for the bytecode and the snapshot this run noted
  }
}

const skip = !existsSync(join(DIST, 'yaml')) || !existsSync(join(DIST, 'pygments')) ? 'apt-get install python3-yaml python3-pyparsing python3-pygments' : false;

describe('import snapshots', { skip }, () => {
  let root = '';
  before(() => {
    root = makeProject();
  });

  it('after the first run, a LOW task imports yaml, pyparsing and pygments from the snapshot, with native python3\'s results', async () => {
    const expected = native(root, 'low');
    const cold = await runEngine(root, 'low');
    assert.equal(cold.ok, false, 'the first LOW run has no snapshot yet: its imports alone take more than LOW');
    assert.equal((cold.error as { error_type: string }).error_type, 'out_of_fuel');
    assert.ok(readdirSync(join(root, '.capsule', 'snapshots')).some((f) => f.endsWith('.snap')), 'the run left a snapshot');
    const warm = await runEngine(root, 'low');
    assert.equal(warm.ok, true, JSON.stringify(warm.error));
    assert.deepEqual(warm.result, expected);
    assert.ok(warm.fuel < FUEL.LOW / 2, `fuel ${warm.fuel}`);
  });

  it('a changed package file is never served from the old snapshot; the next run makes a new one', async () => {
    appendFileSync(join(SITE(root), 'marker.py'), 'MARK = 2\n');
    const changed = await runEngine(root, 'high');
    assert.equal(changed.ok, true, JSON.stringify(changed.error));
    assert.deepEqual(changed.result, native(root, 'high'));
    assert.equal((changed.result as { marker: number }).marker, 2);
    const again = await runEngine(root, 'low');
    assert.equal(again.ok, true, JSON.stringify(again.error));
    assert.deepEqual(again.result, native(root, 'low'));
  });

  it('a task that has an environment variable an import read, or a grant that shows a file an import looked for, imports for itself, as native python3 does', async () => {
    const pool = new SandboxPool({ spares: 0 });
    const oracle = (env: Record<string, string>, withData: boolean): unknown => {
      const dir = withData ? root : tempDir('capsule-cwd-'); // no data/ there: as a task without the grant
      return JSON.parse(execFileSync(join(root, '.venv', 'bin', 'python3'), ['-B', '-c', 'import confmod, json; print(json.dumps([confmod.LEVEL, confmod.FILE]))'], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env } }));
    };
    try {
      const base = spec(root, 'conf_tasks.py', 'conf', { fuel: FUEL.HIGH, pythonPath: ['/capsule/site-packages'], mounts: [{ hostPath: SITE(root), guestPath: '/capsule/site-packages', readOnly: true }] });
      const first = await runTask(pool, base);
      assert.deepEqual(first.outcome.result, oracle({}, false));
      await pool.snapshots!.idle();
      const plain = await runTask(pool, base);
      assert.deepEqual(plain.outcome.result, oracle({}, false));
      assert.ok(plain.outcome.fuelConsumed < first.outcome.fuelConsumed, `from the snapshot: ${plain.outcome.fuelConsumed} < ${first.outcome.fuelConsumed}`);

      const withEnv = await runTask(pool, { ...base, env: { CONFMOD_LEVEL: 'debug' } });
      assert.deepEqual(withEnv.outcome.result, oracle({ CONFMOD_LEVEL: 'debug' }, false));
      const other = await runTask(pool, { ...base, env: { UNRELATED: '1' } });
      assert.deepEqual(other.outcome.result, oracle({ UNRELATED: '1' }, false));
      assert.ok(other.outcome.fuelConsumed < first.outcome.fuelConsumed, 'a variable no import read does not keep the snapshot out');

      const withGrant = await runTask(pool, { ...base, mounts: [...base.mounts, { hostPath: join(root, 'data'), guestPath: '/project/data', readOnly: true }] });
      assert.deepEqual(withGrant.outcome.result, oracle({}, true));
      assert.equal((withGrant.outcome.result as string[])[1], 'from the data grant');
    } finally {
      await pool.dispose();
    }
  });

  it('a snapshot or bytecode the host did not seal is never loaded: tampered, or made under another host key', async () => {
    await runEngine(root, 'high');
    const dir = join(root, '.capsule', 'snapshots');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.snap'))) {
      const bytes = readFileSync(join(dir, f));
      bytes[bytes.length - 100]! ^= 1; // one bit, in the image if there is one
      writeFileSync(join(dir, f), bytes);
    }
    const tampered = await runEngine(root, 'low');
    assert.equal((tampered.error as { error_type?: string })?.error_type, 'out_of_fuel', 'the tampered snapshot was not used');
    assert.equal((await runEngine(root, 'low')).ok, true, 'a sealed one was made again');
    const prefixes = readdirSync(dir).filter((n) => n.endsWith('.snap')).map((n) => n.split('-')[0]);
    assert.equal(new Set(prefixes).size, prefixes.length, 'one snapshot per task file: a new one replaces the old');

    // Another machine's (or a repository's) .capsule/: nothing in it is found under this host's key.
    const other = join(tempDir('capsule-key-'), 'host.key');
    const saved = process.env.CAPSULE_HOST_KEY_FILE;
    process.env.CAPSULE_HOST_KEY_FILE = other;
    try {
      const foreign = await runEngine(root, 'low');
      assert.equal((foreign.error as { error_type?: string })?.error_type, 'out_of_fuel', 'a snapshot sealed under another key was used');
    } finally {
      if (saved === undefined) delete process.env.CAPSULE_HOST_KEY_FILE;
      else process.env.CAPSULE_HOST_KEY_FILE = saved;
    }
  });

  it('bytecode planted in .capsule/pycache (named as the old unkeyed cache did) or in the project\'s own __pycache__ never replaces the source', async () => {
    const p = tempDir('capsule-plant-');
    mkdirSync(join(p, 'pkg', '__pycache__'), { recursive: true });
    writeFileSync(join(p, 'pkg', '__init__.py'), 'VALUE = "source"\n');
    writeFileSync(join(p, 'main.py'), 'from capsule import task\n\n@task(name="main")\ndef main():\n    import pkg\n    return pkg.VALUE\n');
    // Bytecode for other code, with the source's hash in its header (an unchecked and a checked hash-based .pyc).
    execFileSync('python3', ['-c', `
import hashlib, importlib.util, sys
from importlib._bootstrap_external import _code_to_hash_pyc
root, magic = sys.argv[1], sys.argv[2]
src = open(root + "/pkg/__init__.py", "rb").read()
evil = compile('VALUE = "planted"\\n', "/project/pkg/__init__.py", "exec")
open(root + "/pkg/__pycache__/__init__.cpython-311.pyc", "wb").write(_code_to_hash_pyc(evil, importlib.util.source_hash(src), checked=False))
import os; os.makedirs(root + "/.capsule/pycache/" + magic, exist_ok=True)
name = hashlib.sha256(src + b"\\0" + b"/project/pkg/__init__.py").hexdigest()
open(root + "/.capsule/pycache/" + magic + "/" + name + ".pyc", "wb").write(_code_to_hash_pyc(evil, importlib.util.source_hash(src), checked=False))
`, p, SANDBOX_PYC_MAGIC]);
    for (let i = 0; i < 2; i++) {
      const e = await Engine.create({ projectRoot: p, tracePath: null });
      try {
        const env = await e.start({ file: 'main.py', taskName: 'main' }).result;
        assert.equal(env.result, 'source', `run ${i + 1}`);
      } finally {
        await e.dispose();
      }
    }
  });

  after(() => {});
});

describe('import snapshots: the host key', () => {
  it('no task can be given a writable mount holding the host key (it seals every project\'s caches)', () => {
    const home = tempDir('capsule-home-');
    const saved = process.env.CAPSULE_HOST_KEY_FILE;
    process.env.CAPSULE_HOST_KEY_FILE = join(home, '.cache', 'capsule', 'host.key');
    try {
      mkdirSync(join(home, '.cache', 'capsule'), { recursive: true });
      const p = tempDir('capsule-keyproj-');
      writeFileSync(join(p, 'main.py'), '');
      for (const hostPath of [home, join(home, '.cache', 'capsule')]) {
        assert.throws(() => validateSpec(spec(p, 'main.py', 'main', { mounts: [{ hostPath, guestPath: '/data', readOnly: false }] })), /holds .*Capsule's host key.*can only be mounted read-only/);
        assert.doesNotThrow(() => validateSpec(spec(p, 'main.py', 'main', { mounts: [{ hostPath, guestPath: '/data', readOnly: true }] })));
      }
    } finally {
      if (saved === undefined) delete process.env.CAPSULE_HOST_KEY_FILE;
      else process.env.CAPSULE_HOST_KEY_FILE = saved;
    }
  });
});

describe('import snapshots: which files are worth one', () => {
  it('reads the leading imports the way the snapshot run replays them', () => {
    assert.deepEqual(leadingImports('"""doc\nmore"""\n# c\nimport os, yaml as y\nfrom a.b import (c,\n  d)\nimport e.f\nx = 1\nimport late\n'), ['os', 'yaml', 'a.b', 'e.f']);
    assert.deepEqual(leadingImports('from capsule import task\n\n@task(name="m")\ndef m(): pass\n'), ['capsule']);
    assert.equal(leadingImports('import os; import yaml\n'), null);
    assert.equal(leadingImports('from . import x\n'), null);
  });
});
