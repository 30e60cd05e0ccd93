// The journal's secret handling: granted values never written, put back exactly on replay,
// and a task cannot plant a marker that makes a replay hand it another task's secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactHeaders, redactUrl, restoreSecrets, scrubSecrets } from '../../runtime/src/journal/redact';
import { BlobStore, sha256 } from '../../runtime/src/journal/blobs';

const secrets = new Map([['API_TOKEN', 'tok-"ü-12345'], ['SHORT', 'ab']]);

test('a granted value is replaced in JSON text in both escapings, and restored exactly', () => {
  const value = { a: secrets.get('API_TOKEN'), b: `Bearer ${secrets.get('API_TOKEN')}`, c: 'ab stays: too short to search for' };
  for (const text of [JSON.stringify(value), JSON.stringify(value).replace(/ü/g, '\\u00fc')]) {
    const scrubbed = scrubSecrets(text, secrets);
    assert.ok(!scrubbed.includes('12345'), scrubbed);
    assert.deepEqual(JSON.parse(restoreSecrets(scrubbed, secrets)), value);
  }
});

test('a variable no longer set restores as empty and is named', () => {
  const scrubbed = scrubSecrets(JSON.stringify({ t: 'tok-"ü-12345' }), secrets);
  const missing = new Set<string>();
  assert.deepEqual(JSON.parse(restoreSecrets(scrubbed, new Map(), missing)), { t: '' });
  assert.deepEqual([...missing], ['API_TOKEN']);
});

test('a marker written by a task stays text: a replay never turns it into a secret', () => {
  const planted = JSON.stringify({ x: '\u0000capsule-env:API_TOKEN\u0000', y: '\u0000capsule-lit-env:API_TOKEN\u0000' });
  const scrubbed = scrubSecrets(planted, secrets);
  assert.equal(restoreSecrets(scrubbed, secrets), planted);
  assert.deepEqual(JSON.parse(restoreSecrets(scrubbed, secrets)), JSON.parse(planted));
});

test('credential headers and URL query values are redacted, others kept', () => {
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer x', 'Set-Cookie': 's=1', 'X-Api-Key': 'k', 'X-Refresh-Token': 't', 'Content-Type': 'text/plain', 'X-Keyboard': 'qwerty' }), {
    Authorization: '[redacted]',
    'Set-Cookie': '[redacted]',
    'X-Api-Key': '[redacted]',
    'X-Refresh-Token': '[redacted]',
    'Content-Type': 'text/plain',
    'X-Keyboard': 'qwerty',
  });
  assert.equal(redactUrl('https://api.example/v1?q=cats&api_key=SECRET&page=2'), 'https://api.example/v1?q=cats&api_key=%5Bredacted%5D&page=2');
});

test('a blob is read back only under its own hash and only unaltered', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-blobs-'));
  try {
    const store = new BlobStore(dir);
    const hash = store.put('{"big":true}');
    assert.equal(hash, sha256('{"big":true}'));
    assert.equal(store.get(hash), '{"big":true}');
    assert.equal(store.get('../etc/passwd'), null);
    writeFileSync(join(dir, hash), '{"big":false}');
    assert.equal(store.get(hash), null, 'altered content is refused');
    store.put('other');
    assert.equal(store.sweep(new Set(), 60_000), 0, 'a blob younger than the grace period is kept');
    assert.equal(store.sweep(new Set([sha256('other')])), 1);
    assert.deepEqual(readdirSync(dir), [sha256('other')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
