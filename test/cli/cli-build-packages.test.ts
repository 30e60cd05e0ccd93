// `capsule build` with packages: the fingerprint covers the
// virtualenv's files, so a build is redone exactly when a source or a package
// file changes (by content); `build --export` writes one file that `capsule
// exec` runs elsewhere, with nothing of the project left, giving `capsule
// run`'s result; a damaged export is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/capsule.js');
const DIST = '/usr/lib/python3/dist-packages';

function capsule(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-buildpkg-'));
  execFileSync('python3', ['-m', 'venv', '--without-pip', join(dir, '.venv')]);
  const site = join(dir, '.venv', 'lib', 'python3.11', 'site-packages');
  for (const p of ['yaml', 'pyparsing']) cpSync(join(DIST, p), join(site, p), { recursive: true, filter: (s) => !s.includes('__pycache__') });
  mkdirSync(join(dir, 'assets', 'data'), { recursive: true });
  writeFileSync(join(dir, 'assets', '__init__.py'), '');
  writeFileSync(join(dir, 'assets', 'data', 'config.yaml'), 'name: capsule\nsizes: [1, 2, 3]\n');
  writeFileSync(join(dir, '.env'), 'SECRET=never-exported\n');
  writeFileSync(join(dir, 'app.py'), `import importlib.resources
import yaml
import pyparsing as pp
from capsule import task

@task(name="main", compute="LOW")
def main():
    conf = yaml.safe_load(importlib.resources.files("assets").joinpath("data/config.yaml").read_text())
    parsed = pp.delimited_list(pp.Word(pp.nums)).parse_string(", ".join(map(str, conf["sizes"]))).as_list()
    return {"conf": conf, "total": sum(int(x) for x in parsed)}
`);
  return dir;
}

const skip = !existsSync(join(DIST, 'yaml')) && 'apt-get install python3-yaml python3-pyparsing';

test('build is redone exactly when a source or a package file changes, and says which', { skip }, () => {
  const dir = project();
  try {
    const first = capsule(['build', 'app.py'], dir);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^built app\.py \(fingerprint [0-9a-f]{16}, 2 source files, \d+ package files, tasks: main; import snapshot of \d+ modules \(\d+ KB\)\): first build/);
    assert.match(capsule(['build', 'app.py'], dir).out, /^up to date app\.py/);
    const scanner = join(dir, '.venv', 'lib', 'python3.11', 'site-packages', 'yaml', 'scanner.py');
    utimesSync(scanner, new Date(), new Date(2001, 1, 1)); // touched, same bytes
    const touched = capsule(['build', 'app.py'], dir);
    assert.match(touched.out, /^up to date app\.py/);
    const artifact = /-> (\S+)$/m.exec(touched.out)![1]!;
    appendFileSync(scanner, '\n# edited\n');
    const stale = capsule(['exec', artifact], dir);
    assert.equal(stale.code, 2);
    assert.match(stale.err, /is stale: the sources changed since it was built \(changed \/capsule\/site-packages\/yaml\/scanner\.py\)/);
    const rebuilt = capsule(['build', 'app.py'], dir);
    assert.match(rebuilt.out, /^built app\.py .*: \/capsule\/site-packages\/yaml\/scanner\.py changed/);
    const ran = capsule(['exec', /-> (\S+)$/m.exec(rebuilt.out)![1]!, '--json'], dir);
    assert.equal(ran.code, 0, ran.err);
    assert.ok(JSON.parse(ran.out).execution.fuel_consumed < 1e8, 'exec starts from the build\'s snapshot (a LOW task)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('build --export: capsule exec runs the file in another directory, with nothing of the project left, and gives capsule run\'s result', { skip }, () => {
  const dir = project();
  const elsewhere = mkdtempSync(join(tmpdir(), 'capsule-elsewhere-'));
  try {
    const warm = capsule(['run', 'app.py', '--json'], dir); // the first run makes the snapshot
    const run = capsule(['run', 'app.py', '--json'], dir);
    assert.equal(run.code, 0, run.err + warm.err);
    const exported = capsule(['build', 'app.py', '--export', join(elsewhere, 'app.capsule')], dir);
    assert.equal(exported.code, 0, exported.err);
    assert.match(exported.out, /^exported app\.py \(\d+ files, [\d.]+ MB before compression\) -> /m);
    assert.ok(!readFileSync(join(elsewhere, 'app.capsule')).includes('never-exported'), '.env stayed home');
    rmSync(dir, { recursive: true, force: true });
    // Another machine: its own cache and host key, and a virtualenv of its own activated.
    const machine = { XDG_CACHE_HOME: join(elsewhere, 'cache'), CAPSULE_HOST_KEY_FILE: join(elsewhere, 'key', 'host.key'), VIRTUAL_ENV: join(elsewhere, 'no-such-venv') };
    const first = capsule(['exec', 'app.capsule', '--json'], elsewhere, machine);
    assert.equal(first.code, 0, first.err);
    const again = capsule(['exec', 'app.capsule', '--json'], elsewhere, machine);
    const [a, b, c] = [run, first, again].map((r) => JSON.parse(r.out) as { success: boolean; result: unknown; execution: { fuel_consumed: number } });
    assert.deepEqual(b!.result, a!.result);
    assert.deepEqual(c!.result, a!.result);
    assert.equal(c!.success, true);
    assert.ok(c!.execution.fuel_consumed < 1e8, `from the snapshot made there: ${c!.execution.fuel_consumed}`);

    // The unpacked copy changed behind its back (a task of it could write there): unpacked again, never run changed.
    const unpacked = join(elsewhere, 'cache', 'capsule', 'exports');
    const [only] = readdirSync(unpacked).filter((d) => !d.endsWith('.tmp'));
    writeFileSync(join(unpacked, only!, 'app.py'), 'from capsule import task\n\n@task(name="main")\ndef main():\n    return "changed"\n');
    const restored = capsule(['exec', 'app.capsule', '--json'], elsewhere, machine);
    assert.equal(restored.code, 0, restored.err);
    assert.deepEqual(JSON.parse(restored.out).result, a!.result);

    const bytes = readFileSync(join(elsewhere, 'app.capsule'));
    bytes[bytes.length - 40]! ^= 0xff;
    writeFileSync(join(elsewhere, 'bad.capsule'), bytes);
    const bad = capsule(['exec', 'bad.capsule'], elsewhere, machine);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /bad\.capsule: not a usable capsule export/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
