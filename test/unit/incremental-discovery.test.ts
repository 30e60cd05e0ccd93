// The editor's discovery keeps what it read per top-level statement and parses only the
// lines an edit touched (runtime/src/discovery/incremental.ts). 2,000 seeded edits
// to a file of many statements: after each, its tasks (every field, spans included) and
// the callers it blocks equal those of a fresh whole-file discovery of the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockedCallers, discoverTasks, initParser } from '../../runtime/src/discovery/index';
import { firstSyntaxError } from '../../runtime/src/discovery/parser';
import { taskDiagnostics } from '../../server/src/diagnostics';
import { diagnosticJson } from '../../server/src/diagnostic-json';
import { PythonDocument } from '../../server/src/documents';
import { prng, safeOffset } from '../random-edits';

const SEED = `"""A module docstring."""
from __future__ import annotations
from capsule import task
import capsule

RAM = "256MB"
HOSTS = ["api.example.com"]
LIMIT = RAM

# a comment between statements
@task(compute="LOW", ram=RAM, allowed_hosts=HOSTS)
def uses_constants(x):
    return helper(x)

@task(compute="ultra", ram="1mb")
def broken(x):
    return x

@task(compute="LOW")
def calls_broken(x):
    return broken(x) + f(g(x))

def helper(x):
    return x * 2

@task(name="renamed", timeout="30s", ram=LIMIT)
async def original(a, b=1):
    return a + b

class Holder:
    @task(compute="LOW")
    def method(self):
        pass

if True:
    @task()
    def conditional():
        pass

@capsule.task(max_retries=3, env_variables=["API_KEY"])
def dotted():
    pass

x = 1; y = 2
for i in range(3): pass
`;

// Mostly edits that keep the file valid (regions are parsed alone only then), some that break it.
const TOKENS = ['x', 'x', 'y', '1', ' ', '\n', '\n\n', '\n    ', '    ', '# c', ', ram=RAM', ', compute="LOW"', '"', '(', ')', ',', '=', 'compute="LOW"', '@task\n', 'def f():\n    pass\n', 'RAM = "64MB"\n', 'global RAM\n', 'task = 1\n', 'from capsule import task\n', 'broken(1)', 'é', '😀', '"""'];



const blockedLines = (m: Map<{ name: string }, { message: string; span?: { start: { line: number } } }>) =>
  [...m].map(([t, p]) => `${t.name}@${p.span?.start.line}: ${p.message}`).sort();

/**
 * `edits` seeded edits to `seed`; after each, the document's tasks, blocked callers and
 * first syntax error equal a fresh discovery's. `broken`: the seed has a syntax error, so
 * the text is not sent back to it because it has one.
 */
async function equivalence(seed: string, edits: number, randomSeed: number, { broken = false } = {}) {
  const SEED = seed;
  const parser = await initParser();
  const rand = prng(randomSeed);
  const opts = { projectRoot: '/nonexistent-project' };
  const doc = new PythonDocument(parser, 'file:///incremental.py', SEED, 0);
  doc.tasks(opts);
  let compared = 0;
  let lost = false;
  let changes = 0;
  let reused = 0;
  let lastDiagnostics: unknown;
  let errorsElsewhere = 0;
  for (let i = 1; i <= edits; i++) {
    let text = doc.text;
    // Back to the seed now and then, and soon once the text has lost its tasks.
    if (text.length > 6000 || rand() < 0.02 || (lost && rand() < 0.5)) {
      doc.applyChanges([{ text: SEED }], i);
      text = SEED;
    } else {
      // One to three changes in one event, applied in order, as an editor sends them.
      const changes = [];
      for (let k = 1 + Math.floor(rand() * (rand() < 0.8 ? 1 : 3)); k > 0; k--) {
        const start = safeOffset(text, Math.floor(rand() * (text.length + 1)));
        const end = safeOffset(text, Math.min(text.length, start + (rand() < 0.5 ? 0 : Math.floor(rand() * (rand() < 0.9 ? 3 : 60)))));
        const insert = rand() < 0.25 ? '' : TOKENS[Math.floor(rand() * TOKENS.length)]!;
        // Positions in the text as it is when this change applies (after the earlier ones).
        const shadow = new PythonDocument(parser, 'file:///shadow.py', text, 0);
        changes.push({ range: { start: shadow.textDocument.positionAt(start), end: shadow.textDocument.positionAt(end) }, text: insert });
        text = text.slice(0, start) + insert + text.slice(end);
      }
      doc.applyChanges(changes, i);
    }
    assert.equal(doc.text, text);
    const tasks = doc.tasks(opts);
    const fresh = discoverTasks(text, { parser, ...opts });
    assert.equal(JSON.stringify(tasks), JSON.stringify(fresh), `edit ${i}: tasks differ for text:\n${text}`);
    // What the pass says it changed: the list before, with `removed` replaced by `added`.
    const change = doc.change;
    if (change) {
      const gone = new Set(change.removed);
      assert.deepEqual(new Set(tasks), new Set([...change.before.filter((t) => !gone.has(t)), ...change.added]), `edit ${i}: the pass's change does not say how its tasks differ`);
      changes++;
    }
    const blocked = doc.callers.blocked(tasks, text, change);
    const freshBlocked = blockedCallers(fresh, text);
    assert.deepEqual(blockedLines(blocked), blockedLines(freshBlocked), `edit ${i}: blocked callers differ for text:\n${text}`);
    // The server's diagnostics, made again only for tasks read again or moved, equal fresh ones.
    const diagnostics = doc.diagnostics.of(tasks, [], blocked, change);
    assert.deepEqual(diagnostics, taskDiagnostics(fresh, [], freshBlocked), `edit ${i}: diagnostics differ for text:\n${text}`);
    // The JSON each keeps (written once, sent on every keystroke) is still what it holds.
    for (const d of diagnostics) assert.equal(diagnosticJson(d), JSON.stringify(d), `edit ${i}: a diagnostic's kept JSON is stale`);
    if (diagnostics === lastDiagnostics) reused++;
    lastDiagnostics = diagnostics;
    if (fresh.length > 0) compared++;
    const tree = parser.parse(text)!;
    // Whether the file is broken agrees. Where: tree-sitter's error recovery may place the
    // first error elsewhere in a parse that reuses an edited tree than in a fresh one.
    const error = tree.rootNode.hasError ? firstSyntaxError(tree.rootNode) : null;
    assert.equal(doc.syntaxError === null, error === null, `edit ${i}: the syntax error is ${JSON.stringify(doc.syntaxError)}, not ${JSON.stringify(error)}, in text:\n${text}`);
    if (doc.syntaxError && error && JSON.stringify(doc.syntaxError) !== JSON.stringify(error)) errorsElsewhere++;
    // An edit at or after a syntax error parses the file whole: go back to the seed soon.
    lost = fresh.length < 3 || (!broken && tree.rootNode.hasError);
    tree.delete();
  }
  // Rare: once in the 2,000 edits of the first test.
  assert.ok(errorsElsewhere <= edits / 100, `the first syntax error was placed elsewhere than a fresh parse does after ${errorsElsewhere} edits`);
  return { compared, changes, reused, diagnostics: doc.diagnostics.stats, ...doc.discoveryStats };
}

test('incremental discovery equals a whole-file discovery after each of 2,000 edits', async () => {
  const { compared, regions, whole } = await equivalence(SEED, 2000, 0x5eed);
  // The comparison means something only if most texts have tasks and most passes parsed a region alone.
  assert.ok(compared > 1300, `only ${compared} texts had tasks (${regions} regions, ${whole} whole parses)`);
  assert.ok(regions > 300, `only ${regions} passes parsed a region alone (${whole} whole parses)`);
});

test('in a file with a syntax error, edits before it are parsed alone, and still equal a whole-file discovery', async () => {
  // The state of a file while its last task is being typed; broken mid-file too, so
  // some edits come after the error.
  const seed = SEED.replace('def helper(x):', 'def helper(x:\n    pass\n\ndef helper2(x):') + '\n@task(compute="LOW")\n';
  const { compared, regions, whole } = await equivalence(seed, 1500, 0xbad5eed, { broken: true });
  assert.ok(compared > 900, `only ${compared} texts had tasks`);
  assert.ok(regions > 100, `only ${regions} passes parsed a region alone (${whole} whole parses)`);
});

test('without module constants, most passes patch the last task lists, and still equal a whole-file discovery', async () => {
  // Constants (and `global`) are answers every task may depend on: an edit that moves one
  // reads all tasks again. Without them, a pass reads only the statements it parsed again.
  const seed = SEED.replace(/^(RAM|HOSTS|LIMIT) = .*\n|^x = 1; y = 2\n/gm, '');
  const { compared, regions, patched, changes, reused, diagnostics } = await equivalence(seed, 1000, 0xc0ffee);
  assert.ok(compared > 600, `only ${compared} texts had tasks`);
  assert.ok(patched > regions / 3, `only ${patched} of ${regions} region passes patched the last task lists`);
  // Each patched pass says what it changed, and the server's list was handed back unchanged after some.
  assert.equal(changes, patched);
  assert.ok(reused > 50, `the last diagnostics were handed back after only ${reused} edits`);
  // The server's list was also patched (a task's diagnostics changed, none moved) and made whole (lines moved).
  assert.ok(diagnostics.patched > 20 && diagnostics.whole > 20, `diagnostics: ${JSON.stringify(diagnostics)}`);
});

test('a "\\r" typed into a file that had none ends a line for discovery, as on open', async () => {
  const parser = await initParser();
  const text = 'from capsule import task\n\n@task(ram="1XB")\ndef f():\n    pass\n';
  const doc = new PythonDocument(parser, 'file:///cr.py', text, 0);
  const opts = {};
  doc.tasks(opts);
  // In a comment in the task's body, not at an edit's edge: only that statement is parsed again.
  doc.applyChanges([{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: '    # a\r    # b\n' }], 1);
  const now = doc.text;
  assert.ok(now.includes('# a\r'));
  const tasks = doc.tasks(opts);
  assert.equal(JSON.stringify(tasks), JSON.stringify(discoverTasks(now, { parser, ...opts })));
  assert.equal(tasks[0]!.span.end.line, 6, 'the definition ends on line 7 once "\\r" ends line 5');
});
