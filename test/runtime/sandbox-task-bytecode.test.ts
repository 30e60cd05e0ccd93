// The task's own file from the host's bytecode cache (runtime/src/sandbox/pycache.ts;
// the driver's _cached_code in python-sdk/capsule/_guest.py). The first run compiles
// the file in the sandbox and notes the miss; the host compiles it; later runs load
// that bytecode and skip CPython's compiler (whose wasm a fresh process would compile
// first). Results and tracebacks are the same either way, and changed bytes are never
// answered with the old code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Engine } from '../../runtime/src/engine';
import { SANDBOX_PYC_MAGIC } from '../../runtime/src/sandbox/pycache';
import type { Envelope } from '../../runtime/src/engine/types';
import { tempDir } from '../temp-dir';

/** Enough code that compiling it is most of what a run costs. */
const helpers = Array.from({ length: 120 }, (_, i) => `def helper_${i}(x):\n    return [x + ${i} for _ in range(2)] if x > ${i} else {"k": x * ${i}}\n`).join('\n');

const source = (value: number) => `from capsule import task

VALUE = ${value}

${helpers}

@task
def main():
    return {"value": VALUE, "helpers": helper_119(200)}

@task
def fails():
    raise ValueError("from fails")
`;

async function runOnce(root: string, taskName: string): Promise<Envelope> {
  const engine = await Engine.create({ projectRoot: root, tracePath: null });
  try {
    return await engine.start({ file: 'tasks.py', taskName }).result;
  } finally {
    await engine.dispose(); // waits for the host's compiler
  }
}

describe('the task file from the host bytecode cache', () => {
  it('the first run compiles it and the host caches it; later runs load it (same result and traceback, a fraction of the fuel); changed bytes are compiled again', async () => {
    const root = tempDir('capsule-taskpyc-');
    writeFileSync(join(root, 'tasks.py'), source(1));
    const lineOfRaise = source(1).split('\n').findIndex((l) => l.includes('raise ValueError')) + 1;

    const first = await runOnce(root, 'main');
    assert.equal(first.success, true, JSON.stringify(first.error));
    // What the host wrote, read by native python3: code for the file as the guest names it.
    const cached = JSON.parse(execFileSync('python3', ['-c', `
import glob, json, marshal, sys
print(json.dumps([marshal.loads(open(f, "rb").read()[16:]).co_filename for f in glob.glob(sys.argv[1] + "/*.pyc")]))`,
    join(root, '.capsule', 'pycache', SANDBOX_PYC_MAGIC)], { encoding: 'utf8' })) as string[];
    assert.ok(cached.includes('/project/tasks.py'), JSON.stringify(cached));

    const second = await runOnce(root, 'main');
    assert.deepEqual(second.result, first.result);
    assert.deepEqual(first.result, { value: 1, helpers: [319, 319] });
    const [before, after] = [first.execution.fuel_consumed, second.execution.fuel_consumed];
    assert.ok(after * 2 < before, `fuel ${before} from source, then ${after} from the cache`);

    // A failure from cached code names the same file and line as one from source.
    writeFileSync(join(root, 'tasks.py'), source(2)); // other bytes: the cache has no code for them yet
    const fromSource = await runOnce(root, 'fails');
    const fromCache = await runOnce(root, 'fails');
    for (const run of [fromSource, fromCache]) {
      assert.equal(run.success, false);
      assert.match(String(run.error?.traceback), new RegExp(`File "/project/tasks\\.py", line ${lineOfRaise}, in fails\\n    raise ValueError\\("from fails"\\)`));
    }
    assert.equal(fromCache.error?.traceback, fromSource.error?.traceback);
    assert.ok(fromCache.execution.fuel_consumed * 2 < fromSource.execution.fuel_consumed);

    // Same size, other bytes: the code that runs is the file's current code, never the cached one.
    writeFileSync(join(root, 'tasks.py'), source(3));
    assert.deepEqual((await runOnce(root, 'main')).result, { value: 3, helpers: [319, 319] });
  });
});
