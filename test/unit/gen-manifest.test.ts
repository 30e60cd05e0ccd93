// The sandbox's module manifest (runtime/artifacts/gen/modules.json) is checked when read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultArtifacts, genManifest } from '../../runtime/src/sandbox/paths';

test('the built manifest reads; a broken one names the file, the field and the fix', () => {
  const built = genManifest(defaultArtifacts().genDir);
  assert.ok(Object.keys(built.modules.metered).length > 0 && Object.keys(built.modules.unmetered).length > 0);
  const dir = mkdtempSync(join(tmpdir(), 'capsule-gen-'));
  try {
    const bad = (text: string) => {
      writeFileSync(join(dir, 'modules.json'), text);
      return () => genManifest(dir);
    };
    assert.throws(bad('{'), /modules\.json is not JSON .*run `node runtime\/build\/prepare\.mjs`/);
    assert.throws(bad('{"modules": {"metered": {}}, "sdkFingerprint": null}'), /is not a module manifest \(modules\.unmetered: expected record\)/);
    assert.throws(bad('{"modules": {"metered": {}, "unmetered": {"a": 3}}, "sdkFingerprint": null}'), /\(modules\.unmetered\.a: expected string\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
