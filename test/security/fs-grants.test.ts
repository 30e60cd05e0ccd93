// Grants as the filesystem sees them (nested grants, grant roots, the disk
// cap), run in the real sandbox. Every combination of two grants is tried
// with every spelling of a path: the expected rights come from the rule (the
// most specific grant holding the file decides), written here independently
// of the sandbox's code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { newDiskBudget, diskUsed, SandboxPool, SandboxSpecError, type Mount } from '../../runtime/src/sandbox/index';
import { validateCapsuleToml } from '../../runtime/src/config/toml';
import { runTask, spec, MB } from '../runtime/sandbox-helpers';
import { tempDir } from '../temp-dir';

const pool = new SandboxPool({ spares: 2 });
after(() => pool.dispose());

const TASKS = `
from capsule import task
import os

@task(name="try_writes")
def try_writes(paths):
    out = {}
    for p in paths:
        try:
            with open(p, "w") as f:
                f.write("x")
            out[p] = "ok"
        except OSError as e:
            out[p] = type(e).__name__
    return out

@task(name="open_fifo")
def open_fifo():
    try:
        open("g/pipe").read()
        return "read"
    except OSError as e:
        return type(e).__name__

@task(name="read_many")
def read_many(n):
    for _ in range(n):
        open("g/plain.txt").read()
    return n

@task(name="write_bytes")
def write_bytes(name, n):
    try:
        with open(name, "wb") as f:
            f.write(b"w" * n)
        return "written"
    except OSError as e:
        return [type(e).__name__, e.errno, e.strerror]
`;

function project(dirs: string[]): string {
  const root = tempDir('capsule-grants-');
  writeFileSync(join(root, 'tasks.py'), TASKS);
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  return root;
}

const mount = (root: string, rel: string, readOnly: boolean): Mount => ({ hostPath: join(root, rel), guestPath: `/project/${rel}`, readOnly });

/** Every way the tests spell a file `rel` (under the project) from the task's cwd, /project. */
function spellings(rel: string): string[] {
  const [head, ...rest] = rel.split('/');
  const tail = rest.join('/');
  return [
    rel, `./${rel}`, `/project/${rel}`, `/project/./${rel}`, `//project//${rel}`,
    `${head}/./${tail}`, `${head}//${tail}`, `${head}/../${head}/${tail}`, `/project/${head}/./${tail}`,
  ];
}

describe('grants: every combination of two grants, every path spelling', () => {
  // [outer, inner] directories; inner may be nested in outer, a sibling, or share its prefix.
  const layouts: Array<{ name: string; a: string; b: string }> = [
    { name: 'nested', a: 'a', b: 'a/b' },
    { name: 'siblings', a: 'a', b: 'c' },
    { name: 'same prefix', a: 'data', b: 'data2' },
  ];
  for (const { name, a, b } of layouts) {
    for (const [aRo, bRo] of [[false, true], [true, false], [true, true], [false, false]] as const) {
      it(`${name}: ${a} ${aRo ? 'ro' : 'rw'}, ${b} ${bRo ? 'ro' : 'rw'}`, async () => {
        const root = project([b, a, `${a}/other`]);
        const targets = [`${b}/f.txt`, `${a}/other/f.txt`];
        const paths = targets.flatMap(spellings);
        const s = spec(root, 'tasks.py', 'try_writes', { args: [paths], mounts: [mount(root, a, aRo), mount(root, b, bRo)] });
        const { outcome } = await runTask(pool, s);
        assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
        const got = outcome.result as Record<string, string>;
        for (const t of targets) {
          // The rule: the most specific grant holding the file decides.
          const readOnly = t.startsWith(`${b}/`) ? bRo : aRo;
          for (const p of spellings(t)) assert.equal(got[p], readOnly ? 'PermissionError' : 'ok', `${p} (${t} is ${readOnly ? 'read-only' : 'writable'})`);
        }
      });
    }
  }
});

describe('special files (H2)', () => {
  it('a FIFO in a grant is refused at once, and another task reading files meanwhile is never held up', async () => {
    const root = project(['g']);
    execFileSync('mkfifo', [join(root, 'g', 'pipe')]);
    writeFileSync(join(root, 'g', 'plain.txt'), 'plain');
    const mounts = [mount(root, 'g', false)];
    const [fifo, reader] = await Promise.all([
      runTask(pool, spec(root, 'tasks.py', 'open_fifo', { mounts })),
      runTask(pool, spec(root, 'tasks.py', 'read_many', { mounts, args: [200] })),
    ]);
    assert.deepEqual([fifo.outcome.result, reader.outcome.result], ['PermissionError', 200]);
  });
});

describe('the disk cap', () => {
  it('a write over the cap is ENOSPC in the task, with a line on stderr naming the cap and where to raise it', async () => {
    const root = project(['g']);
    const disk = newDiskBudget(1 * MB);
    const { outcome, stderr } = await runTask(pool, spec(root, 'tasks.py', 'write_bytes', { args: ['g/big', 2 * MB], mounts: [mount(root, 'g', false)], disk }));
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const [type, , strerror] = outcome.result as [string, number, string];
    assert.equal(type, 'OSError');
    assert.match(strerror, /No space left on device/);
    assert.match(stderr, /disk cap of 1 MB/);
    assert.match(stderr, /default_disk in capsule\.toml/);
  });

  it('sandboxes sharing one budget share the cap; what was written is counted', async () => {
    const root = project(['g']);
    const disk = newDiskBudget(1 * MB);
    const mounts = [mount(root, 'g', false)];
    const first = await runTask(pool, spec(root, 'tasks.py', 'write_bytes', { args: ['g/one', 600_000], mounts, disk }));
    assert.equal(first.outcome.result, 'written');
    assert.equal(diskUsed(disk), 600_000 + 4096);
    const second = await runTask(pool, spec(root, 'tasks.py', 'write_bytes', { args: ['g/two', 600_000], mounts, disk }));
    assert.equal((second.outcome.result as unknown[])[0], 'OSError');
    assert.equal(readFileSync(join(root, 'g', 'one')).length, 600_000);
  });

  it('a bad budget is refused with the field named', () => {
    const root = project(['g']);
    const bad = (disk: unknown, re: RegExp) =>
      assert.throws(() => pool.run(spec(root, 'tasks.py', 'write_bytes', { disk: disk as never })), (e: Error) => e instanceof SandboxSpecError && re.test(e.message));
    bad({ limitBytes: -1, used: new SharedArrayBuffer(8) }, /disk\.limitBytes/);
    bad({ limitBytes: 10, used: new ArrayBuffer(8) }, /disk\.used/);
  });

  it('capsule.toml: [tasks] default_disk is checked like the other limits', () => {
    assert.deepEqual(validateCapsuleToml('[tasks]\ndefault_disk = "2GB"\n'), { defaults: { disk: '2GB' }, taskDefaults: {}, problems: [] });
    const unit = validateCapsuleToml('[tasks]\ndefault_disk = "2 parsecs"\n').problems;
    assert.equal(unit.length, 1);
    assert.match(unit[0]!.message, /tasks\.default_disk: disk "2 parsecs": unknown unit "parsecs"; use B, KB, MB, GB or TB/);
    assert.equal(unit[0]!.severity, 'error');
    assert.match(validateCapsuleToml('[tasks]\ndefault_disk = 5\n').problems[0]!.message, /tasks\.default_disk must be a string/);
    assert.match(validateCapsuleToml('[tasks]\ndefault_disk = "2TB"\n').problems[0]!.message, /more than the maximum of 1 TB/);
  });
});
