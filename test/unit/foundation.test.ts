import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

test('the committed grammar wasm matches its provenance note', () => {
  const info = readFileSync('grammars/tree-sitter-python.info', 'utf8');
  const noted = /^sha256: ([0-9a-f]{64})$/m.exec(info)?.[1];
  const actual = createHash('sha256').update(readFileSync('grammars/tree-sitter-python.wasm')).digest('hex');
  assert.equal(actual, noted);
  const version = /^version: (\S+)/m.exec(info)?.[1];
  assert.equal(version, JSON.parse(readFileSync('node_modules/tree-sitter-python/package.json', 'utf8')).version);
});

test('package.json is an extension manifest and a CLI package', () => {
  assert.equal(pkg.main, './dist/client.js');
  assert.equal(pkg.bin.capsule, './bin/capsule.js');
  assert.ok(pkg.publisher);
  // The declared minimum is the VS Code the e2e suite runs (code-server 4.100.3 embeds 1.100.3):
  // an older one would be promised without being tested.
  const [, major, minor] = /^\^(\d+)\.(\d+)\./.exec(pkg.engines.vscode) ?? [];
  assert.deepEqual([Number(major), Number(minor)], [1, 100], `engines.vscode ${pkg.engines.vscode} is not the tested 1.100`);
  for (const ev of pkg.activationEvents) assert.ok(!ev.startsWith('*'), `activation event ${ev} is too broad`);
});

test('the CLI bundle answers --version with the package version', () => {
  const out = execFileSync(process.execPath, ['bin/capsule.js', '--version'], { encoding: 'utf8' });
  assert.equal(out.trim(), pkg.version);
});
