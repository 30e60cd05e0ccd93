// One list of always-skipped folders (discovery/project-files.ts) for every walk of a project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSources } from '../../runtime/src/cli/fingerprint';
import { ALWAYS_SKIPPED } from '../../runtime/src/discovery/project-files';

test("capsule build's fingerprint skips exactly the always-skipped folders", () => {
  const root = mkdtempSync(join(tmpdir(), 'capsule-skip-'));
  try {
    const put = (rel: string) => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), '');
    };
    for (const dir of ALWAYS_SKIPPED) put(`${dir}/skipped.py`);
    // Importable code in folders the old fingerprint skipped: a change there must rebuild.
    for (const rel of ['main.py', 'build/gen.py', 'dist/x.py', '.tools/helper.py', 'pkg/mod.py']) put(rel);
    assert.deepEqual(listSources(root), ['.tools/helper.py', 'build/gen.py', 'dist/x.py', 'main.py', 'pkg/mod.py']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
