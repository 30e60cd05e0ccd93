// Packages in the sandbox: where they come from (the project's
// virtualenv, capsule.toml's python_path), what a task can read of them (all
// files, read-only), and what it can read of the project (package data, never
// .env or data outside packages). The virtualenv is a real `python3 -m venv`
// with Debian's pure-Python packages copied in; native python3 is the oracle.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../runtime/src/engine';
import { PythonPathError, resolvePythonPath } from '../../runtime/src/sandbox/python-path';
import { SANDBOX_PYC_MAGIC } from '../../runtime/src/sandbox/pycache';
import { validateSpec } from '../../runtime/src/sandbox/validate';
import { checkGrantPath } from '../../runtime/src/config/schema';
import { spec } from './sandbox-helpers';
import { tempDir } from '../temp-dir';

const DIST = '/usr/lib/python3/dist-packages';

/** A project with a real virtualenv holding pyparsing, PyYAML (its C part cannot load: pure mode), six and a package with data. */
function makeProject(): string {
  const root = tempDir('capsule-pkgs-');
  execFileSync('python3', ['-m', 'venv', '--without-pip', join(root, '.venv')]);
  const site = join(root, '.venv', 'lib', 'python3.11', 'site-packages');
  for (const p of ['yaml', 'pyparsing', 'six.py']) cpSync(join(DIST, p), join(site, p), { recursive: true });
  mkdirSync(join(site, 'sitedata', 'files'), { recursive: true });
  writeFileSync(join(site, 'sitedata', '__init__.py'), '');
  writeFileSync(join(site, 'sitedata', 'files', 'table.csv'), 'a,b\n1,2\n');
  // The project's own package with data, and what must stay hidden.
  mkdirSync(join(root, 'mypkg', 'data'), { recursive: true });
  writeFileSync(join(root, 'mypkg', '__init__.py'), '');
  writeFileSync(join(root, 'mypkg', 'data', 'greeting.txt'), 'hello from package data');
  writeFileSync(join(root, 'mypkg', '.secret'), 'dotfile in a package');
  mkdirSync(join(root, 'notpkg'));
  writeFileSync(join(root, 'notpkg', 'file.txt'), 'not package data');
  mkdirSync(join(root, '.hidden', 'pkg'), { recursive: true });
  writeFileSync(join(root, '.hidden', 'pkg', '__init__.py'), '');
  writeFileSync(join(root, '.hidden', 'pkg', 'x.txt'), 'under a dot directory');
  writeFileSync(join(root, '.env'), 'SECRET=dotenv\n');
  writeFileSync(join(root, 'data.zip'), 'not on python_path');
  execFileSync('python3', ['-c', 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],"w"); z.writestr("vendmod.py","VALUE = 42\\n"); z.close()', join(root, 'vendor.zip')]);
  writeFileSync(join(root, 'capsule.toml'), '[tasks]\npython_path = ["vendor.zip"]\n');
  writeFileSync(join(root, 'projmod.py'), 'VALUE = 1\n');
  // .pth files as site reads them: a relative directory, an import line, and an absolute host directory (an editable install).
  mkdirSync(join(site, 'relsub'));
  writeFileSync(join(site, 'relsub', 'relmod.py'), 'WHERE = "relative .pth line"\n');
  writeFileSync(join(site, 'rel.pth'), '# a comment\nrelsub\n');
  writeFileSync(join(site, 'hook.pth'), 'import sys; sys.capsule_pth_hook = "import line ran"\n');
  mkdirSync(join(root, 'src', 'editable_pkg'), { recursive: true });
  writeFileSync(join(root, 'src', 'editable_pkg', '__init__.py'), 'WHERE = "absolute .pth line"\n');
  writeFileSync(join(site, '__editable__.pth'), `${join(root, 'src')}\n`);
  writeFileSync(join(root, 'tasks.py'), TASKS);
  return root;
}

const TASKS = `
import json, sys
from capsule import task

def use_packages():
    import importlib.resources, yaml, pyparsing, six
    doc = yaml.safe_load("a: [1, 2, {b: c}]\\nd: 2026-11-27\\n")
    return {
        "yaml": yaml.safe_dump(doc, sort_keys=True), "libyaml": yaml.__with_libyaml__,
        "pyparsing": pyparsing.delimited_list(pyparsing.Word(pyparsing.nums)).parse_string("1, 2, 3").as_list(),
        "six": six.text_type.__name__,
        "site data": importlib.resources.files("sitedata").joinpath("files/table.csv").read_text(),
        "package data": importlib.resources.files("mypkg").joinpath("data/greeting.txt").read_text(),
    }

@task(name="packages", compute="HIGH")
def packages():
    sys.path.append("/capsule/site-packages")
    return use_packages()

def use_path():
    import relmod, editable_pkg, vendmod
    return [relmod.WHERE, getattr(sys, "capsule_pth_hook", None), editable_pkg.WHERE, vendmod.VALUE]

@task(name="auto_path", compute="HIGH")
def auto_path():
    return use_packages(), use_path(), [p for p in sys.path if p == "/capsule/site-packages" or p.endswith("vendor.zip")]

@task(name="nothing", compute="HIGH")
def nothing():
    return None

@task(name="cached", compute="HIGH")
def cached():
    import importlib.util, projmod
    sys.path.append("/capsule/site-packages")
    r = use_packages()
    r["projmod"] = projmod.VALUE
    r["magic"] = importlib.util.MAGIC_NUMBER.hex()
    return r

@task(name="what_is_readable")
def what_is_readable():
    out = {}
    for p in [".env", "notpkg/file.txt", "mypkg/.secret", ".hidden/pkg/x.txt", "data.zip", "vendor.zip", "mypkg/data/greeting.txt"]:
        try:
            open(p, "rb").read()
            out[p] = "readable"
        except OSError as e:
            out[p] = type(e).__name__
    for p in ["/capsule/site-packages/new.py", "/capsule/site-packages/six.py"]:
        try:
            open(p, "a").write("x = 1")
            out[p] = "written"
        except OSError as e:
            out[p] = type(e).__name__
    sys.path.insert(0, "vendor.zip")
    import vendmod
    out["zip import"] = vendmod.VALUE
    return out
`;

let root = '';
let engine: Engine;
before(async () => {
  root = makeProject();
  engine = await Engine.create({ projectRoot: root, tracePath: null });
});
after(() => engine.dispose());

async function run(taskName: string): Promise<unknown> {
  const env = await engine.start({ file: 'tasks.py', taskName }).result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  return env.result;
}

describe('packages: the project virtualenv in the sandbox', { skip: !existsSync(join(DIST, 'yaml')) && 'apt-get install python3-yaml python3-pyparsing python3-six' }, () => {
  it('its packages import and give the results native python3 gives (PyYAML in pure mode, package data through importlib.resources)', async () => {
    const got = (await run('packages')) as Record<string, unknown>;
    const native = execFileSync(join(root, '.venv', 'bin', 'python'), ['-c', 'import json, tasks; r = tasks.use_packages(); r["libyaml"] = False; print(json.dumps(r))'], {
      cwd: root, env: { ...process.env, PYTHONPATH: join(__dirname, '..', '..', 'python-sdk') }, encoding: 'utf8',
    });
    assert.deepEqual(got, JSON.parse(native));
    assert.equal(got.libyaml, false, 'the C extension must not load in the sandbox');
  });

  it('site-packages goes on sys.path after the standard library with its .pth files honoured, and python_path zips too, as native python3 does', async () => {
    const [packagesGot, pathGot, order] = (await run('auto_path')) as [Record<string, unknown>, unknown[], string[]];
    const native = execFileSync(join(root, '.venv', 'bin', 'python'), ['-c', 'import json, sys, tasks; sys.path.append("vendor.zip"); r = tasks.use_packages(); r["libyaml"] = False; print(json.dumps([r, tasks.use_path()]))'], {
      cwd: root, env: { ...process.env, PYTHONPATH: join(__dirname, '..', '..', 'python-sdk') }, encoding: 'utf8',
    });
    assert.deepEqual([packagesGot, pathGot], JSON.parse(native));
    assert.deepEqual(order, ['/capsule/site-packages', '/project/vendor.zip']);
  });

  it('site-packages is read-only; of the project only .py files, package data and python_path archives can be read', async () => {
    assert.deepEqual(await run('what_is_readable'), {
      '.env': 'FileNotFoundError',
      'notpkg/file.txt': 'FileNotFoundError',
      'mypkg/.secret': 'FileNotFoundError',
      '.hidden/pkg/x.txt': 'FileNotFoundError',
      'data.zip': 'FileNotFoundError',
      'vendor.zip': 'readable',
      'mypkg/data/greeting.txt': 'readable',
      '/capsule/site-packages/new.py': 'PermissionError',
      '/capsule/site-packages/six.py': 'PermissionError',
      'zip import': 42,
    });
  });
});

describe('packages: bytecode compiled once, by the host', { skip: !existsSync(join(DIST, 'yaml')) && 'apt-get install python3-yaml python3-pyparsing python3-six' }, () => {
  it('the first run notes what it compiled; the host caches it; later runs load it (same results, a fraction of the fuel), and a changed source is never served stale', async () => {
    const p = makeProject();
    const runOnce = async (taskName = 'cached') => {
      const e = await Engine.create({ projectRoot: p, tracePath: null });
      try {
        const env = await e.start({ file: 'tasks.py', taskName }).result;
        assert.equal(env.success, true, JSON.stringify(env.error));
        return env;
      } finally {
        await e.dispose(); // waits for the host's compiler
      }
    };
    const first = await runOnce();
    const cache = join(p, '.capsule', 'pycache', SANDBOX_PYC_MAGIC);
    // What the host wrote, read back by native python3: unchecked-hash .pyc files of the sandbox's magic, named for guest paths.
    const entries = JSON.parse(execFileSync('python3', ['-c', `
import glob, importlib.util, json, marshal, sys
out = []
for f in glob.glob(sys.argv[1] + "/*.pyc"):
    data = open(f, "rb").read()
    out.append([data[:4] == importlib.util.MAGIC_NUMBER, int.from_bytes(data[4:8], "little"), marshal.loads(data[16:]).co_filename])
print(json.dumps(out))`, cache], { encoding: 'utf8' })) as [boolean, number, string][];
    assert.ok(entries.every(([magic, flags]) => magic && flags === 1), JSON.stringify(entries.slice(0, 3)));
    const files = new Set(entries.map(([, , f]) => f));
    for (const f of ['/capsule/site-packages/yaml/__init__.py', '/capsule/site-packages/yaml/scanner.py', '/capsule/site-packages/pyparsing/core.py', '/capsule/site-packages/six.py', '/project/projmod.py']) assert.ok(files.has(f), `${f} not cached`);
    const second = await runOnce();
    assert.deepEqual(second.result, first.result);
    assert.equal((second.result as { magic: string }).magic, SANDBOX_PYC_MAGIC);
    // What the imports cost: the fuel over a task that imports nothing (its start-up, which an SDK edited since the build makes large).
    const base = (await runOnce('nothing')).execution.fuel_consumed;
    const [before, after] = [first.execution.fuel_consumed - base, second.execution.fuel_consumed - base];
    assert.ok(after * 2.5 < before, `import fuel ${before} on the first run, then ${after}`);
    writeFileSync(join(p, 'projmod.py'), 'VALUE = 2\n'); // same size: only the bytes differ
    assert.equal(((await runOnce()).result as { projmod: number }).projmod, 2);
  });

  it('tasks cannot write the cache: .capsule/ cannot be granted, nor mounted writable', () => {
    const p = makeProject();
    mkdirSync(join(p, '.capsule', 'pycache'), { recursive: true });
    assert.match((checkGrantPath('.capsule/pycache', p) as { error: string }).error, /inside \.capsule\/, which holds Capsule's trace and bytecode cache/);
    assert.throws(() => validateSpec(spec(p, 'tasks.py', 'cached', { mounts: [{ hostPath: join(p, '.capsule'), guestPath: '/cache', readOnly: false }] })), /mounts\[0\]\.hostPath .* can only be mounted read-only/);
  });
});

describe('packages: finding the environment', () => {
  const tmp = () => tempDir('capsule-venv-');
  const fakeVenv = (dir: string, version: string, cfg: string | null) => {
    mkdirSync(join(dir, 'lib', `python${version}`, 'site-packages'), { recursive: true });
    if (cfg) writeFileSync(join(dir, 'pyvenv.cfg'), `home = /usr/bin\nversion = ${cfg}\n`);
  };

  it('no virtualenv, no python_path: nothing is added', () => {
    assert.deepEqual(resolvePythonPath(tmp()), { mounts: [], sysPath: [], projectFiles: [] });
  });

  it('.venv, else venv/, else VIRTUAL_ENV first: its lib/python3.11/site-packages, read-only at /capsule/site-packages', () => {
    const p = tmp();
    fakeVenv(join(p, 'venv'), '3.11', '3.11.2');
    const site = realpathSync(join(p, 'venv', 'lib', 'python3.11', 'site-packages'));
    assert.deepEqual(resolvePythonPath(p).mounts, [{ hostPath: site, guestPath: '/capsule/site-packages', readOnly: true }]);
    fakeVenv(join(p, '.venv'), '3.11', '3.11.2');
    assert.equal(resolvePythonPath(p).mounts[0]!.hostPath, realpathSync(join(p, '.venv', 'lib', 'python3.11', 'site-packages')));
    const other = tmp();
    fakeVenv(other, '3.11', null);
    assert.equal(resolvePythonPath(p, { virtualEnv: other }).mounts[0]!.hostPath, realpathSync(join(other, 'lib', 'python3.11', 'site-packages')));
  });

  it('a virtualenv for another Python is refused, naming its version and the fix', () => {
    const p = tmp();
    fakeVenv(join(p, '.venv'), '3.12', '3.12.1');
    assert.throws(() => resolvePythonPath(p), (e: Error) => e instanceof PythonPathError
      && /the virtualenv \.venv\/ is for Python 3\.12 \(pyvenv\.cfg\), but tasks run on CPython 3\.11/.test(e.message) && /python3\.11 -m venv \.venv\//.test(e.message));
    const q = tmp();
    fakeVenv(join(q, '.venv'), '3.13', null);
    assert.throws(() => resolvePythonPath(q), /has no lib\/python3\.11\/site-packages \(it has lib\/python3\.13\/site-packages\)/);
    assert.throws(() => resolvePythonPath(tmp(), { virtualEnv: '/no/such/venv' }), /VIRTUAL_ENV is \/no\/such\/venv, which is not a directory/);
  });

  it('python_path: directories are mounted in order, zip archives must be in the project', () => {
    const p = tmp();
    mkdirSync(join(p, 'libs'));
    writeFileSync(join(p, 'vendor.zip'), '');
    writeFileSync(join(p, 'notes.txt'), '');
    const r = resolvePythonPath(p, { pythonPath: ['libs', 'vendor.zip'] });
    assert.deepEqual(r.sysPath, ['/capsule/path/0', '/project/vendor.zip']);
    assert.deepEqual(r.projectFiles, [realpathSync(join(p, 'vendor.zip'))]);
    assert.throws(() => resolvePythonPath(p, { pythonPath: ['missing'] }), /python_path entry "missing": .* does not exist/);
    assert.throws(() => resolvePythonPath(p, { pythonPath: ['notes.txt'] }), /not a directory or a zip archive/);
    const outside = join(tmp(), 'o.zip');
    writeFileSync(outside, '');
    assert.throws(() => resolvePythonPath(p, { pythonPath: [outside] }), /a zip archive must be inside the project/);
  });

  it('a .pth line naming a host directory (an editable install) is put on the path as the guest sees it', () => {
    const p = tmp();
    fakeVenv(join(p, '.venv'), '3.11', '3.11.2');
    const site = join(p, '.venv', 'lib', 'python3.11', 'site-packages');
    const elsewhere = tmp();
    mkdirSync(join(p, 'src'));
    writeFileSync(join(site, 'a.pth'), `relative_dir\nimport os\n${join(p, 'src')}\n${elsewhere}\n/no/such/dir\n`);
    const r = resolvePythonPath(p);
    assert.deepEqual(r.sysPath, ['/capsule/site-packages', '/project/src', '/capsule/path/pth-1']);
    assert.deepEqual(r.mounts[1], { hostPath: realpathSync(elsewhere), guestPath: '/capsule/path/pth-1', readOnly: true });
  });

  it('the engine refuses the run before anything runs, as a configuration error', async () => {
    const p = tmp();
    fakeVenv(join(p, '.venv'), '3.12', '3.12.1');
    writeFileSync(join(p, 'main.py'), 'from capsule import task\n\n@task(name="main")\ndef main():\n    return 1\n');
    const e = await Engine.create({ projectRoot: p, tracePath: null });
    try {
      await assert.rejects(e.start({ file: 'main.py' }).result, (err: Error) => err.name === 'ConfigError' && /is for Python 3\.12/.test(err.message));
    } finally {
      await e.dispose();
    }
  });
});
