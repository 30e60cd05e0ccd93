// EditedText keeps a document's lines as vscode-languageserver-textdocument's TextDocument
// does, with a pending shift instead of rewriting every later line start per keystroke.
// The library is the oracle: after each of thousands of seeded edits (typing on one line,
// new lines, CR/LF pairs split and joined, inverted ranges, whole replacements), both
// give the same text and the same offsets and positions everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { EditedText } from '../../server/src/edited-text';
import { prng } from '../random-edits';

const PIECES = ['x', 'ab', ' ', '\n', '\r\n', '\r', '\n\n', 'é', '😀', '@task(ram="64MB")\n', ''];
const START = 'from capsule import task\r\n\r\n@task()\ndef f():\r    return 1\n';

test('EditedText gives the library TextDocument\'s text, offsets and positions after each of 5,000 edits', () => {
  const rand = prng(0x7e47);
  const oracle = TextDocument.create('file:///a.py', 'python', 0, START);
  const mine = new EditedText('file:///a.py', 'python', 0, START);
  let sameLineRuns = 0;
  let line = 0;
  for (let v = 1; v <= 5000; v++) {
    const lines = oracle.lineCount;
    const changes: TextDocumentContentChangeEvent[] = [];
    for (let k = 1 + Math.floor(rand() * (rand() < 0.85 ? 1 : 3)); k > 0; k--) {
      if (rand() < 0.005) {
        changes.push({ text: START });
        continue;
      }
      // Mostly typing on the line typed on last, as an editor sends it.
      if (rand() < 0.3) line = Math.floor(rand() * (lines + 1));
      else sameLineRuns++;
      const start = { line, character: Math.floor(rand() * 12) };
      const end = rand() < 0.6 ? start : { line: Math.max(0, line + Math.floor(rand() * 3) - 1), character: Math.floor(rand() * 12) };
      changes.push({ range: { start, end }, text: rand() < 0.3 ? '' : PIECES[Math.floor(rand() * PIECES.length)]! });
    }
    TextDocument.update(oracle, changes, v);
    mine.update(changes, v);
    assert.equal(mine.getText(), oracle.getText(), `edit ${v}: texts differ`);
    assert.equal(mine.version, v);
    // Asked at random times only, so that shifts pile up between questions too.
    if (rand() < 0.5) continue;
    assert.equal(mine.lineCount, oracle.lineCount, `edit ${v}: line counts differ`);
    const text = oracle.getText();
    for (let q = 0; q < 20; q++) {
      const p = { line: Math.floor(rand() * (oracle.lineCount + 2)) - 1, character: Math.floor(rand() * 20) - 1 };
      assert.equal(mine.offsetAt(p), oracle.offsetAt(p), `edit ${v}: offsetAt(${JSON.stringify(p)})`);
      const o = Math.floor(rand() * (text.length + 3)) - 1;
      assert.deepEqual(mine.positionAt(o), oracle.positionAt(o), `edit ${v}: positionAt(${o})`);
    }
    const range = { start: oracle.positionAt(Math.floor(rand() * text.length)), end: oracle.positionAt(text.length) };
    assert.equal(mine.getText(range), oracle.getText(range));
  }
  assert.ok(sameLineRuns > 2000, `only ${sameLineRuns} edits on the line edited before`);
});
