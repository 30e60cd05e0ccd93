// capsule build's manifests are parsed when read back (runtime/src/cli/manifests.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '../../runtime/src/cli/build-command';
import { ExportManifestSchema, parseManifest } from '../../runtime/src/cli/manifests';

const SHA = 'a'.repeat(64);

test('a build manifest with a wrong field is refused naming the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-manifest-'));
  try {
    const good = { format: 1, fingerprint: 'f', projectRoot: dir, entry: 'main.py', builtAt: 'now', capsuleVersion: '0.1.0', files: [{ path: 'main.py', sha256: SHA }], tasks: [{ name: 'main', functionName: 'main', isAsync: false, config: {} }] };
    const path = join(dir, 'manifest.json');
    writeFileSync(path, JSON.stringify(good));
    assert.equal(readManifest(path).entry, 'main.py');
    writeFileSync(path, JSON.stringify({ ...good, files: [{ path: 'main.py', sha256: 'nope' }] }));
    assert.throws(() => readManifest(path), /not a capsule build manifest \(format 1; files\.0\.sha256: .*\); run "capsule build" again/);
    writeFileSync(path, JSON.stringify({ ...good, format: 2 }));
    assert.throws(() => readManifest(path), /format 1; format: unknown value/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an export's manifest: sizes are whole non-negative numbers, paths strings", () => {
  const base = { format: 1, entry: 'main.py', fingerprint: 'f', capsuleVersion: '0.1.0', tasks: ['main'] };
  assert.equal(parseManifest(ExportManifestSchema, { ...base, files: [{ path: 'main.py', size: 10, sha256: SHA }] }).ok, true);
  assert.deepEqual(parseManifest(ExportManifestSchema, { ...base, files: [{ path: 'main.py', size: '10', sha256: SHA }] }), { ok: false, why: 'files.0.size: expected number' });
  assert.deepEqual(parseManifest(ExportManifestSchema, { ...base, files: [{ path: 'main.py', size: -1, sha256: SHA }] }), { ok: false, why: 'files.0.size: out of range' });
  assert.deepEqual(parseManifest(ExportManifestSchema, { ...base, files: [{ path: 7, size: 1, sha256: SHA }] }), { ok: false, why: 'files.0.path: expected string' });
});
