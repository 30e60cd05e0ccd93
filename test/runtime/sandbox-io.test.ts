// What crosses the sandbox boundary: environment, randomness, streamed
// output, host calls, files (confinement), imports, results, bad specs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SandboxPool, SandboxSpecError } from '../../runtime/src/sandbox/index';
import { sdkFingerprint } from '../../runtime/src/sandbox/sdk-fingerprint';
import { fixtureProject, MB, runTask, spec } from './sandbox-helpers';
import { tempDir } from '../temp-dir';

const pool = new SandboxPool({ spares: 2 });
after(() => pool.dispose());
let project = '';
before(() => {
  project = fixtureProject();
  writeFileSync(join(project, 'secret.env'), 'SECRET=1\n');
  symlinkSync('/etc', join(project, 'link_out'));
});
const io = (taskName: string, over = {}) => spec(project, 'io_tasks.py', taskName, over);

async function ok(taskName: string, over = {}, hooks = {}): Promise<unknown> {
  const { outcome } = await runTask(pool, io(taskName, over), hooks);
  assert.equal(outcome.ok, true, `${taskName}: ${JSON.stringify(outcome.error)}`);
  return outcome.result;
}

describe('sandbox: boundary', () => {
  it('the environment is exactly the spec env', async () => {
    assert.deepEqual(await ok('environment', { env: { ONLY: 'this', EMPTY: '' } }), { ONLY: 'this', EMPTY: '' });
    assert.deepEqual(await ok('environment'), {});
  });

  it('two instances never see the same random numbers', async () => {
    const [a, b] = (await Promise.all([ok('random_numbers'), ok('random_numbers')])) as unknown[][];
    for (let i = 0; i < 3; i++) assert.notEqual(a[i], b[i], `value ${i} repeated: ${a[i]}`);
  });

  it('stdout streams: a line arrives while the task is still running', async () => {
    let seen = '';
    const result = await ok('streamed', {}, {
      onStdout: (t: string) => (seen += t),
      onHostCall: async (op: string, payload: { text: string }) => {
        assert.equal(op, 'test.wait_for_stdout');
        return seen.includes(payload.text);
      },
    });
    assert.equal(result, true);
    assert.equal(seen, 'first line\nsecond line\n');
  });

  it('a partial line is flushed when the task sleeps', async () => {
    const chunks: string[] = [];
    assert.equal(await ok('progress', {}, { onStdout: (t: string) => chunks.push(t) }), 'ok');
    // Lines are otherwise sent whole: a separate first chunk was flushed by the sleep.
    assert.deepEqual(chunks, ['working', ' done\n']);
  });

  it('every task starts from a fresh instance: nothing carries over', async () => {
    assert.equal(await ok('leave_traces'), 'left');
    assert.deepEqual(await ok('find_traces'), [null, null]);
  });

  it('host calls: the guest blocks until the parent answers, large answers included', async () => {
    const onHostCall = async (op: string, payload: { size: number }) => {
      await new Promise((r) => setImmediate(r)); // genuinely async work in the host
      return { op, blob: 'z'.repeat(payload.size) };
    };
    assert.deepEqual(await ok('host_echo', { args: [8 * 1024 * 1024] }, { onHostCall }), [8 * 1024 * 1024, 'test.echo']);
  });

  it('host calls: a rejection becomes a Python exception', async () => {
    const result = await ok('host_rejects', {}, { onHostCall: async () => { throw new Error('denied: host not allowed'); } });
    assert.deepEqual(result, ['HostError', 'denied: host not allowed']);
  });

  it('urllib.request goes through the host (op http.request), not sockets', async () => {
    const seen: unknown[] = [];
    const onHostCall = async (op: string, payload: { method: string; url: string }) => {
      seen.push([op, payload.method, payload.url]);
      const missing = payload.url.endsWith('/missing');
      return { status: missing ? 404 : 200, headers: { 'content-type': 'text/plain' }, bodyBase64: Buffer.from(missing ? 'nope' : 'hello').toString('base64'), url: payload.url };
    };
    assert.deepEqual(await ok('urllib_get', { args: ['https://example.com/x'] }, { onHostCall }), [200, 'hello', 404]);
    assert.deepEqual(seen, [['http.request', 'GET', 'https://example.com/x'], ['http.request', 'GET', 'https://example.com/x/missing']]);
  });

  it('the project is readable for .py files only, and read-only', async () => {
    const files = (await ok('read_project_files')) as Record<string, string>;
    assert.equal(files['io_tasks.py'], '"""Tasks about what ');
    assert.equal(files['data/notes.txt'], 'FileNotFoundError');
    assert.equal(files['secret.env'], 'FileNotFoundError');
    assert.equal(await ok('write_project'), 'PermissionError');
    assert.equal(existsSync(join(project, 'new_file.py')), false);
  });

  it('no way out: absolute paths, .. and a symlink to /etc are refused', async () => {
    const out = (await ok('escape_attempts')) as Record<string, string>;
    for (const [p, r] of Object.entries(out)) assert.doesNotMatch(r, /^READ/, `${p} was read`);
  });

  it('mounts: read-only and read-write grants', async () => {
    const scratch = tempDir('capsule-scratch-');
    const mounts = [
      { hostPath: join(project, 'data'), guestPath: '/project/data', readOnly: true },
      { hostPath: scratch, guestPath: '/scratch', readOnly: false },
    ];
    const result = await ok('use_mounts', { mounts });
    assert.deepEqual(result, ['notes for the task\n', 'PermissionError', ['out.txt']]);
    assert.equal(readFileSync(join(scratch, 'out.txt'), 'utf8'), 'from the sandbox');
    assert.equal(existsSync(join(project, 'data', 'blocked.txt')), false);
  });

  it('no link-swap race: concurrent tasks sharing a grant never read outside it', async () => {
    const shared = tempDir('capsule-shared-');
    const outside = tempDir('capsule-outside-');
    mkdirSync(join(shared, 'sub'));
    writeFileSync(join(shared, 'sub', 'file.txt'), 'inside');
    writeFileSync(join(outside, 'file.txt'), 'OUTSIDE');
    symlinkSync(outside, join(shared, 'evil')); // a link the user left in the granted directory
    const mounts = [{ hostPath: shared, guestPath: '/shared', readOnly: false }];
    const [attack, victim] = await Promise.all([
      ok('swap_links', { args: [1500], mounts, fuel: 5e10 }),
      ok('read_through', { args: [3000], mounts, fuel: 5e10 }),
    ]);
    assert.equal(attack, 'done');
    const seen = victim as Record<string, number>;
    assert.equal(seen.OUTSIDE, undefined, `read outside the grant: ${JSON.stringify(seen)}`);
    assert.ok((seen.inside ?? 0) > 0, JSON.stringify(seen));
  });

  it('importing numpy says C extensions are not supported', async () => {
    const { outcome } = await runTask(pool, io('import_numpy'));
    assert.equal(outcome.error?.type, 'task_error');
    assert.match(outcome.error!.message, /^ModuleNotFoundError: .*'numpy'.*C extensions are not supported in the Capsule sandbox/);
  });

  it('a native module file in the project gets the same clear error', async () => {
    mkdirSync(join(project, 'fastlib'), { recursive: true });
    writeFileSync(join(project, 'fastlib', '__init__.py'), 'from . import _speedups\n');
    writeFileSync(join(project, 'fastlib', '_speedups.cpython-311-x86_64-linux-gnu.so'), '');
    writeFileSync(join(project, 'uses_native.py'), 'from capsule import task\n\n@task\ndef main():\n    import fastlib\n');
    const { outcome } = await runTask(pool, spec(project, 'uses_native.py', 'main'));
    assert.match(outcome.error?.message ?? '', /fastlib\._speedups.*C extensions are not supported/);
  });

  it('results must be JSON: a set is a clear task_error', async () => {
    const { outcome } = await runTask(pool, io('unserialisable'));
    assert.equal(outcome.error?.type, 'task_error');
    assert.equal(outcome.error!.message, "the task's return value cannot be sent as JSON: result is a set, which JSON cannot carry (make it a list)");
  });

  it('results must be JSON: NaN is refused in the sandbox, not sent as invalid JSON', async () => {
    const { outcome } = await runTask(pool, io('not_a_number'));
    assert.equal(outcome.error?.type, 'task_error');
    assert.match(outcome.error!.message, /cannot be sent as JSON: result is a float nan, which JSON cannot carry/);
  });

  it('exceptions carry type, message and traceback', async () => {
    const { outcome } = await runTask(pool, io('raises'));
    assert.equal(outcome.error?.message, 'ValueError: bad input: 42');
    assert.match(outcome.error?.traceback ?? '', /File "\/project\/io_tasks.py", line \d+, in raises/);
  });

  it('an unknown task name lists the tasks that exist', async () => {
    const { outcome } = await runTask(pool, io('nope'));
    assert.match(outcome.error?.message ?? '', /no task named 'nope' in io_tasks.py \(tasks found: .*environment/);
  });

  it('deeply nested arguments are a task_error, not a crash', async () => {
    const deep = JSON.parse('['.repeat(5000) + ']'.repeat(5000));
    const { outcome } = await runTask(pool, io('environment', { args: [deep] }));
    assert.equal(outcome.error?.type, 'task_error');
    assert.match(outcome.error!.message, /nested too deeply|RecursionError|arguments/);
  });

  it('the snapshot holds the current SDK (else: CAPSULE_BUILD_FROM=wizer npm run build:sandbox)', () => {
    const artifacts = process.env.CAPSULE_SANDBOX_ARTIFACTS || join(__dirname, '..', '..', 'runtime', 'artifacts');
    const manifest = JSON.parse(readFileSync(join(artifacts, 'manifest.json'), 'utf8'));
    assert.equal(manifest.sdkFingerprint, sdkFingerprint(join(__dirname, '..', '..', 'python-sdk')),
      'python-sdk/capsule changed since the sandbox was built: tasks re-import the SDK (slow); rebuild the snapshot');
  });

  it('reports start time, fuel and memory for every run', async () => {
    const { outcome } = await runTask(pool, io('environment'));
    assert.ok(outcome.startMs > 0 && outcome.fuelConsumed > 0 && outcome.peakMemoryBytes > 8 * 1024 * 1024, JSON.stringify(outcome));
  });
});

describe('sandbox: the task\'s own /tmp (in memory, counted against ram)', () => {
  const tmp = (taskName: string, over = {}) => spec(project, 'tmp_tasks.py', taskName, over);

  it('tempfile works as under native python3: TemporaryDirectory, NamedTemporaryFile, mkstemp, SpooledTemporaryFile', async () => {
    const { outcome } = await runTask(pool, tmp('use_tempfile'));
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const native = execFileSync('python3', ['-c', 'import json, tmp_tasks; print(json.dumps(tmp_tasks.use_tempfile()))'], {
      cwd: project, env: { ...process.env, PYTHONPATH: join(__dirname, '..', '..', 'python-sdk') }, encoding: 'utf8',
    });
    assert.deepEqual(outcome.result, JSON.parse(native));
  });

  it('is never shared: a task does not see a /tmp file of a task running at the same time, nor of one before it', async () => {
    let other: Promise<unknown> | null = null;
    const onHostCall = async (op: string) => {
      assert.equal(op, 'test.marked');
      other ??= runTask(pool, tmp('tmp_list')).then((r) => r.outcome.result);
      return { seen: await other };
    };
    const { outcome } = await runTask(pool, tmp('tmp_mark', { args: ['mine'] }), { onHostCall });
    assert.deepEqual(outcome.result, ['mine']);
    assert.deepEqual(await other, []);
    const after = await runTask(pool, tmp('tmp_list'));
    assert.deepEqual(after.outcome.result, []);
  });

  it('/tmp and memory share the ram limit: a /tmp over it is ENOSPC with a line on stderr, and ram_used counts /tmp', async () => {
    const { outcome, stderr } = await runTask(pool, tmp('tmp_fill', { args: [200], memoryLimitBytes: 64 * MB }));
    const [type, strerror, written] = outcome.result as [string, string, number];
    assert.deepEqual([type, strerror], ['OSError', 'No space left on device']);
    assert.ok(written > 20 && written < 64, `${written} MB written`);
    assert.match(stderr, /\/tmp is full .* share its ram limit of 64 MB; raise ram= on the task/);
    assert.ok(outcome.peakMemoryBytes >= written * MB, `ram_used ${outcome.peakMemoryBytes}`);
    assert.ok(outcome.peakMemoryBytes <= 64 * MB, `ram_used ${outcome.peakMemoryBytes}`);
  });

  it('what /tmp holds lowers the memory the task can grow to, and emptying it gives it back', async () => {
    const { outcome } = await runTask(pool, tmp('tmp_then_memory', { args: [50, 40], memoryLimitBytes: 96 * MB }));
    assert.deepEqual(outcome.result, ['MemoryError, then room once /tmp was emptied', 40 * MB]);
  });

  it('a sparse 1 TB file in /tmp is refused (growth counts in full)', async () => {
    assert.equal((await runTask(pool, tmp('tmp_sparse'))).outcome.result, 'OSError');
  });
});

describe('sandbox: missing runtime files', () => {
  it('are a clear failed outcome, not a crash', async () => {
    const broken = new SandboxPool({ spares: 1, artifacts: { genDir: join(tmpdir(), 'no-such-gen'), stdlibDir: tmpdir(), sdkDir: tmpdir() } });
    try {
      const { outcome } = await runTask(broken, io('environment'));
      assert.equal(outcome.error?.type, 'wasm_error');
      assert.match(outcome.error!.message, /could not start: .*modules\.json is missing; run `node runtime\/build\/prepare\.mjs`/);
    } finally {
      await broken.dispose();
    }
  });
});

describe('sandbox: bad specs are refused with the field named', () => {
  const cases: [string, object, RegExp][] = [
    ['projectRoot', { projectRoot: 'relative/dir' }, /projectRoot must be an absolute path/],
    ['file', { file: '../outside.py' }, /file must be a \.py path relative to projectRoot/],
    ['fuel', { fuel: -1 }, /fuel must be a positive number/],
    ['memoryLimitBytes', { memoryLimitBytes: 1024 }, /memoryLimitBytes must be between 16 MB and 4 GB/],
    ['env', { env: { A: 1 } }, /env must map names to string values/],
    ['mounts guestPath', { mounts: [{ hostPath: tmpdir(), guestPath: 'rel', readOnly: true }] }, /mounts\[0\]\.guestPath must be an absolute/],
    ['mounts reserved', { mounts: [{ hostPath: tmpdir(), guestPath: '/project', readOnly: true }] }, /mounts\[0\]\.guestPath \/project is reserved/],
  ];
  for (const [name, over, message] of cases) {
    it(name, () => assert.throws(() => pool.run(io('environment', over)), (err: Error) => err instanceof SandboxSpecError && message.test(err.message)));
  }
});
