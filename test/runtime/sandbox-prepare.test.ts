// runtime/build/prepare.mjs (run by npm install): unpacks the committed
// sandbox artifacts after checking each one against manifest.json.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../temp-dir';

const ROOT = join(__dirname, '..', '..');
const PREPARE = join(ROOT, 'runtime', 'build', 'prepare.mjs');

function copyArtifacts(): string {
  const dir = tempDir('capsule-artifacts-');
  cpSync(join(ROOT, 'runtime', 'artifacts'), dir, { recursive: true });
  rmSync(join(dir, 'gen'), { recursive: true, force: true });
  return dir;
}

describe('sandbox: prepare.mjs', () => {
  it('unpacks every artifact the manifest lists and says which variant is which', () => {
    const dir = copyArtifacts();
    execFileSync(process.execPath, [PREPARE, dir]);
    const { modules, images } = JSON.parse(readFileSync(join(dir, 'gen', 'modules.json'), 'utf8'));
    for (const variant of ['metered', 'unmetered']) {
      assert.ok(modules[variant]['python.core.wasm'], `${variant} has no main module`);
      for (const file of Object.values(modules[variant]) as string[]) assert.ok(existsSync(join(dir, 'gen', file)), file);
      // The main module's data segments went to a memory image (base-image.test.ts checks its contents).
      assert.ok(existsSync(join(dir, 'gen', images[variant]['python.core.wasm'])), `${variant} has no memory image`);
    }
    assert.ok(existsSync(join(dir, 'gen', 'python.mjs')));
    assert.ok(existsSync(join(dir, 'gen', 'python.cjs')));
  });

  it('the extension package ships every metered file the manifest names (.vscodeignore)', () => {
    const dir = copyArtifacts();
    execFileSync(process.execPath, [PREPARE, dir]);
    const { modules, images } = JSON.parse(readFileSync(join(dir, 'gen', 'modules.json'), 'utf8'));
    const shipped = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!runtime/artifacts/gen/'))
      .map((l) => new RegExp(`^${l.slice('!runtime/artifacts/gen/'.length).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`));
    for (const file of [...Object.values(modules.metered), ...Object.values(images.metered)] as string[]) {
      assert.ok(shipped.some((re) => re.test(file)), `${file} is not in the extension package`);
    }
  });

  it('refuses a corrupt artifact, naming it', () => {
    const dir = copyArtifacts();
    appendFileSync(join(dir, 'python.core3.wasm'), 'x');
    const r = spawnSync(process.execPath, [PREPARE, dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /python\.core3\.wasm is corrupt: sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64}/);
  });
});
