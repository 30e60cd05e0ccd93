// When python-sdk/ on disk differs from the snapshot's copy (development),
// the snapshot's main() hands the task to a freshly imported driver: edits to
// capsule/_guest.py's per-task code and the hooks it installs (capsule/_native_imports.py's
// guard) take effect without a rebuild.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { defaultArtifacts } from '../../runtime/src/sandbox/paths';
import { FIXTURES, runTask, spec } from './sandbox-helpers';
import { tempDir } from '../temp-dir';

// A copy of the SDK whose driver marks its runs and words the C-extension error differently.
const sdkDir = tempDir('capsule-sdk-');
cpSync(join(__dirname, '..', '..', 'python-sdk'), sdkDir, { recursive: true });
appendFileSync(join(sdkDir, 'capsule', '_guest.py'), `

_test_original_run_spec = run_spec


def run_spec(spec):
    print("edited driver ran", flush=True)
    _test_original_run_spec(spec)
`);
appendFileSync(join(sdkDir, 'capsule', '_native_imports.py'), `

def _native_error(name):
    return ModuleNotFoundError("edited guard: %s" % name, name=name)
`);

const pool = new SandboxPool({ spares: 1, artifacts: { ...defaultArtifacts(), sdkDir } });
after(() => pool.dispose());

describe('sandbox: an SDK edited since the build', () => {
  it('runs the task with the edited driver', async () => {
    const { outcome, stdout } = await runTask(pool, spec(FIXTURES, 'stdlib_tasks.py', 'use_math'));
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.match(stdout, /^edited driver ran$/m);
  });

  it("installs the edited driver's hooks (the C-extension guard)", async () => {
    const { outcome } = await runTask(pool, spec(FIXTURES, 'io_tasks.py', 'import_numpy'));
    assert.equal(outcome.error?.type, 'task_error', JSON.stringify(outcome));
    assert.match(outcome.error!.message, /^ModuleNotFoundError: edited guard: numpy$/);
  });
});
