// 10,000 random edits (seeded) to an open document: the incremental model never throws,
// and its diagnostics always equal those of a fresh parse of the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverTasks, initParser } from '../../runtime/src/discovery/index';
import { PythonDocument } from '../../server/src/documents';
import { taskDiagnostics } from '../../server/src/diagnostics';
import { prng, safeOffset } from '../random-edits';

const SEED_TEXT = `from capsule import task as t
import capsule

@t(compute="LOW", ram="512mb", timeout=30)
async def a(x):
    return x  # é😀

@capsule.task(name="b", allowed_hosts=["https://api.x.com", "*.ok.com"], env_variables=["A-B"])
def b(): pass

@t(allowed_files=[{"path": "data", "mode": "readonly"}], comput="x", max_retries=-1)
def c(): pass
`;

const TOKENS = ['"', "'", '(', ')', ',', '=', '[', ']', '{', '}', ':', '\n', ' ', '  ', 'ram', 'compute', 'timeout', '"512MB"', '"LOW"', '30', '-1', '@t', '@task', '@capsule.task', 'def f():', 'async ', 'x', 'é', '😀', 'from capsule import task\n', '#', 'f"', '"""'];



test('10,000 random edits: no crash, and diagnostics equal a fresh parse', async () => {
  const parser = await initParser();
  const rand = prng(0xc0ffee);
  const opts = {};
  const doc = new PythonDocument(parser, 'file:///fuzz.py', SEED_TEXT, 0);
  let withProblems = 0;
  let lastEmpty = false;
  try {
    for (let i = 1; i <= 10_000; i++) {
      let text = doc.text;
      // Back to the seed now and then, and soon once the text has lost its tasks' problems.
      if (text.length > 4000 || rand() < 0.02 || (lastEmpty && rand() < 0.3)) {
        lastEmpty = false;
        doc.applyChanges([{ text: SEED_TEXT }], i);
        continue;
      }
      const start = safeOffset(text, Math.floor(rand() * (text.length + 1)));
      const end = safeOffset(text, Math.min(text.length, start + Math.floor(rand() * (rand() < 0.8 ? 4 : 40))));
      const insert = rand() < 0.3 ? '' : TOKENS[Math.floor(rand() * TOKENS.length)]!;
      const range = { start: doc.textDocument.positionAt(start), end: doc.textDocument.positionAt(end) };
      doc.applyChanges([{ range, text: insert }], i);
      text = text.slice(0, start) + insert + text.slice(end);
      assert.equal(doc.text, text, `edit ${i}: text model`);
      const incremental = taskDiagnostics(doc.tasks(opts), []);
      const fresh = taskDiagnostics(discoverTasks(text, { parser }), []);
      assert.deepEqual(incremental, fresh, `edit ${i}: diagnostics differ for text:\n${text}`);
      if (fresh.length) withProblems++;
      lastEmpty = fresh.length === 0;
    }
    // The comparison means something only if most texts still have tasks with problems.
    assert.ok(withProblems > 5000, `only ${withProblems} edits left diagnostics to compare`);
  } finally {
    doc.dispose();
  }
});
