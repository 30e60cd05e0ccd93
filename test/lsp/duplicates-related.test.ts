// A duplicate name's diagnostic points at the other definitions (relatedInformation),
// the same few its message lists, when the client shows related information; with
// many definitions of one name each diagnostic stays small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { startServer, uriOf } from './client';
import { rangeOf } from './text';
import { tempDir } from '../temp-dir';

const task = (i: number) => `@task(name="same")\ndef f${i}(): pass\n`;
const textOf = (n: number) => `from capsule import task\n\n${Array.from({ length: n }, (_, i) => task(i)).join('')}`;

function project(): string {
  const dir = tempDir('capsule-dup-related-');
  writeFileSync(join(dir, 'capsule.toml'), '[workflow]\nname = "dups"\n');
  return dir;
}

test('each duplicate-name diagnostic relates the definitions its message lists, capped as the message is', async () => {
  const dir = project();
  const s = await startServer(dir, {}, undefined, { related: true });
  try {
    const uri = uriOf(join(dir, 'dups.py'));
    const text = textOf(5);
    await s.open(uri, text, 1);
    const d = await s.diagnosticsFor(uri, 1);
    assert.equal(d.length, 5);
    const first = d[0]!;
    assert.equal(first.message, 'duplicate task name "same": also defined at dups.py:6, dups.py:8, dups.py:10 and 1 more; task names must be unique in a file');
    assert.deepEqual(first.relatedInformation, [1, 2, 3].map((k) => ({ location: { uri, range: rangeOf(text, '"same"', k) }, message: 'task "same" is also defined here' })));
    // The last one: the first three others, not itself.
    assert.deepEqual(d[4]!.relatedInformation!.map((r) => r.location.range), [0, 1, 2].map((k) => rangeOf(text, '"same"', k)));

    // Many of one name: three related each, and a message of one line.
    const many = textOf(1000);
    await s.change(uri, 2, [{ text: many }]);
    const all = await s.diagnosticsFor(uri, 2);
    assert.equal(all.length, 1000);
    for (const x of all) assert.equal(x.relatedInformation!.length, 3);
    assert.ok(Math.max(...all.map((x: Diagnostic) => JSON.stringify(x).length)) < 1000, 'each diagnostic stays under 1 KB');
  } finally {
    await s.stop();
  }
});

test('a client that does not show related information gets none', async () => {
  const dir = project();
  const s = await startServer(dir);
  try {
    const uri = uriOf(join(dir, 'dups.py'));
    await s.open(uri, textOf(2), 1);
    const d = await s.diagnosticsFor(uri, 1);
    assert.equal(d.length, 2);
    for (const x of d) assert.equal(x.relatedInformation, undefined);
  } finally {
    await s.stop();
  }
});
