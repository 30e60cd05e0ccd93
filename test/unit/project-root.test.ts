// One project-root rule for the editor and the CLI (runtime/src/config/project-root.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProjectRoot, projectRootFor } from '../../runtime/src/config/project-root';

test('the nearest capsule.toml wins, above the workspace folder or current directory too', () => {
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'capsule-root-')));
  try {
    const app = join(top, 'app');
    const pkg = join(app, 'pkg');
    mkdirSync(pkg, { recursive: true });
    const file = join(pkg, 'tasks.py');
    writeFileSync(file, '');
    // No capsule.toml: the innermost container holding the file, else the file's folder.
    assert.equal(findProjectRoot(pkg), null);
    assert.equal(projectRootFor(file, [top, app]), app);
    assert.equal(projectRootFor(file, [join(top, 'elsewhere')]), pkg);
    assert.equal(projectRootFor(file, []), pkg);
    // A capsule.toml above the container: a lens in folder `pkg` and `capsule run` in `pkg` agree on it.
    writeFileSync(join(app, 'capsule.toml'), '');
    assert.equal(findProjectRoot(pkg), app);
    assert.equal(projectRootFor(file, [pkg]), app);
    // The nearest one wins.
    writeFileSync(join(pkg, 'capsule.toml'), '');
    assert.equal(projectRootFor(file, [top]), pkg);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
