// A client that registers pull providers dynamically (VS Code's) is given several, each
// with its own identifier, and pulls each after every change. Together they must report
// exactly the diagnostics a pushing client gets (the oracle: the same server pushing),
// after any series of edits; a keystroke in a value must cost one full report (the rest
// "unchanged"), one in a body none; and a quick fix must work from any provider's
// diagnostic as it does from the pushed one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeAction, Diagnostic, DocumentDiagnosticReport } from 'vscode-languageserver-protocol';
import { startServer, uriOf, type TestServer } from './client';
import { variantProject } from './agreement-helpers';
import { positionAt } from './text';
import { prng } from '../random-edits';

/** A module of `n` tasks: some with one bad value, some with two over several lines, some fine. */
function moduleOf(n: number): string {
  const out = ['from capsule import task', ''];
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) out.push('@task(', '    compute="ultra",', '    ram="64M",', ')');
    else if (i % 3 === 0) out.push('@task(compute="ultra", ram="256MB")');
    else out.push('@task(compute="LOW", ram="256MB")');
    out.push(`def t${i}(x):`, '    return x + 1', '');
  }
  return out.join('\n');
}

type Change = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };

/** The change replacing text[from, to) with `text`, and the text after it. */
function edit(text: string, from: number, to: number, inserted: string): { change: Change; text: string } {
  return { change: { range: { start: positionAt(text, from), end: positionAt(text, to) }, text: inserted }, text: text.slice(0, from) + inserted + text.slice(to) };
}

/** Offsets of every line start, or of each occurrence of `needle`. */
const lineStarts = (text: string) => [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1)].filter((o) => o < text.length);
const occurrences = (text: string, needle: string) => [...text.matchAll(new RegExp(needle, 'g'))].map((m) => m.index!);

const sortedJson = (ds: Diagnostic[]) => ds.map((d) => JSON.stringify(d)).sort();

/** A pulling client's state: what each provider last reported, as VS Code's collections hold it. */
class Collections {
  readonly held = new Map<string, { resultId?: string; items: Diagnostic[] }>();
  constructor(private readonly s: TestServer, private readonly uri: string, readonly ids: string[]) {}

  /** Pulls every provider at once (as VS Code does after a change); counts the full reports. */
  async pullAll(): Promise<{ full: number; unchanged: number }> {
    const reports = await Promise.all(this.ids.map((identifier) => {
      const previousResultId = this.held.get(identifier)?.resultId;
      return this.s.rpc.sendRequest('textDocument/diagnostic', { identifier, textDocument: { uri: this.uri }, ...(previousResultId ? { previousResultId } : {}) }) as Promise<DocumentDiagnosticReport>;
    }));
    const count = { full: 0, unchanged: 0 };
    reports.forEach((r, k) => {
      const id = this.ids[k]!;
      count[r.kind]++;
      if (r.kind === 'full') this.held.set(id, { ...(r.resultId ? { resultId: r.resultId } : {}), items: r.items });
      else {
        assert.ok(this.held.has(id), `provider ${id} said "unchanged" before any full report`);
        assert.equal(r.resultId, this.held.get(id)!.resultId, `provider ${id}: an "unchanged" report keeps the id the client holds`);
      }
    });
    return count;
  }

  all(): Diagnostic[] {
    return [...this.held.values()].flatMap((h) => h.items);
  }
}

/** A project of `n` tasks in tasks.py, and two servers on it: one pushing, one pulled by a dynamically registering client. */
async function pushAndPull(prefix: string, n: number) {
  const project = variantProject(prefix);
  const text = moduleOf(n);
  writeFileSync(join(project, 'tasks.py'), text);
  const push = await startServer(project);
  const pull = await startServer(project, {}, undefined, { pull: true, dynamic: true });
  const stop = async (): Promise<void> => {
    await push.stop();
    await pull.stop();
    rmSync(project, { recursive: true, force: true });
  };
  return { text, uri: uriOf(join(project, 'tasks.py')), push, pull, stop };
}

test('the providers together report what is pushed, after a seeded series of edits', async () => {
  const { text: first, uri, push, pull, stop } = await pushAndPull('capsule-pull-groups-', 150);
  let text = first;
  try {
    const regs = await pull.waitFor('diagnostic providers registered', () => pull.registrations.length > 0 && pull.registrations);
    assert.ok(regs.length > 1, `several providers: ${JSON.stringify(regs)}`);
    assert.ok(regs.every((r) => r.method === 'textDocument/diagnostic' && r.registerOptions?.interFileDependencies === false), JSON.stringify(regs));
    const ids = regs.map((r) => String(r.registerOptions?.identifier));
    assert.equal(new Set(ids).size, ids.length, `distinct identifiers: ${ids.join(', ')}`);
    assert.equal(new Set(regs.map((r) => r.id)).size, regs.length, 'distinct registration ids');

    await push.open(uri, text);
    await pull.open(uri, text);
    const pulled = new Collections(pull, uri, ids);
    let version = 1;
    const check = async (what: string) => {
      const pushed = await push.diagnosticsFor(uri, version);
      const count = await pulled.pullAll();
      assert.deepEqual(sortedJson(pulled.all()), sortedJson(pushed), `${what} (v${version}): the providers' union is the pushed list`);
      return { pushed, count };
    };
    const first = await check('open');
    assert.ok(first.pushed.length >= 80, `the module has many diagnostics: ${first.pushed.length}`);
    assert.ok([...pulled.held.values()].filter((h) => h.items.length > 0).length > 1, 'they are spread over several providers');

    // The whole list, for a client that pulls without an identifier, is the pushed one too.
    const whole = (await pull.rpc.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as DocumentDiagnosticReport;
    assert.equal(whole.kind, 'full');
    assert.deepEqual(sortedJson((whole as { items: Diagnostic[] }).items), sortedJson(first.pushed));

    const random = prng(15);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
    const kinds = ['value', 'value', 'body', 'newline', 'join', 'task', 'fix'] as const;
    const seen = new Set<string>();
    let before = first.pushed;
    /** "Unchanged" reports after a line break: the providers of the lines above it (groups are runs of lines). */
    let keptAboveNewline = 0;
    for (let step = 0; step < 70; step++) {
      const kind = pick([...kinds]);
      let next: { change: Change; text: string };
      if (kind === 'value') {
        // One character of a compute value: a diagnostic appears, changes or goes; no line moves.
        const at = pick(occurrences(text, 'compute="[A-Za-z]+"')) + 'compute="'.length + 1;
        next = edit(text, at, at + 1, pick(['O', 'l', 'x', 'E']));
      } else if (kind === 'body') {
        const at = pick(occurrences(text, 'return x')) + 'return x'.length;
        next = edit(text, at, at, pick([' * 2', ' + 0', '']));
      } else if (kind === 'newline') {
        const at = pick(lineStarts(text));
        next = edit(text, at, at, '\n');
      } else if (kind === 'join') {
        // A blank line removed (lines below move up).
        const blanks = occurrences(text, '\n\n');
        if (blanks.length === 0) continue;
        const at = pick(blanks);
        next = edit(text, at, at + 1, '');
      } else if (kind === 'task') {
        const at = pick(occurrences(text, '@task'));
        next = edit(text, at, at, `@task(compute="nope${step}", ram="1TB")\ndef added${step}(x):\n    return x\n\n`);
      } else {
        // A ram value fixed by hand, or broken again.
        const bad = occurrences(text, 'ram="64M"');
        const good = occurrences(text, 'ram="64MB"');
        if (bad.length && (random() < 0.6 || !good.length)) {
          const at = pick(bad) + 'ram="64M'.length;
          next = edit(text, at, at, 'B');
        } else {
          if (!good.length) continue;
          const at = pick(good) + 'ram="64M'.length;
          next = edit(text, at, at + 1, '');
        }
      }
      text = next.text;
      version++;
      await push.change(uri, version, [next.change]);
      await pull.change(uri, version, [next.change]);
      const { pushed, count } = await check(`step ${step}, ${kind}`);
      seen.add(kind);
      const changedOnOneLine = kind === 'value' || kind === 'fix';
      const same = JSON.stringify(sortedJson(before)) === JSON.stringify(sortedJson(pushed));
      if (kind === 'body' || same) assert.equal(count.full, 0, `step ${step}, ${kind}: nothing changed, every report is "unchanged"`);
      else if (changedOnOneLine) assert.equal(count.full, 1, `step ${step}, ${kind}: a change on one line is one full report, the others "unchanged"`);
      if (kind === 'newline') keptAboveNewline += count.unchanged;
      before = pushed;
    }
    assert.ok(['value', 'body', 'newline', 'task'].every((k) => seen.has(k)), `every kind of edit ran: ${[...seen].join(', ')}`);
    assert.ok(keptAboveNewline > 0, 'a line break leaves the reports of the lines above it "unchanged"');
  } finally {
    await stop();
  }
});

test('a quick fix works from a grouped diagnostic as from the pushed one', async () => {
  const { text, uri, push, pull, stop } = await pushAndPull('capsule-pull-groups-fix-', 40);
  try {
    const regs = await pull.waitFor('diagnostic providers registered', () => pull.registrations.length > 0 && pull.registrations);
    await push.open(uri, text);
    await pull.open(uri, text);
    const pushed = await push.diagnosticsFor(uri, 1);
    const pulled = new Collections(pull, uri, regs.map((r) => String(r.registerOptions?.identifier)));
    await pulled.pullAll();
    const withFix = pulled.all().filter((d) => d.data !== undefined);
    assert.ok(withFix.length >= 5, `diagnostics with quick fixes: ${withFix.length}`);
    for (const d of withFix) {
      const twin = pushed.find((p) => JSON.stringify(p) === JSON.stringify(d));
      assert.ok(twin, `pushed too: ${JSON.stringify(d)}`);
      const ask = (s: TestServer, diagnostic: Diagnostic) => s.rpc.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } }) as Promise<CodeAction[]>;
      const [fromGroup, fromPush] = await Promise.all([ask(pull, d), ask(push, twin)]);
      assert.ok(fromGroup.length > 0, `a fix is offered for ${d.message}`);
      assert.deepEqual(fromGroup, fromPush);
    }
  } finally {
    await stop();
  }
});

test('a client that pulls without dynamic registration, or does not pull, is registered nothing', async () => {
  const project = variantProject('capsule-pull-groups-static-');
  const staticPull = await startServer(project, {}, undefined, { pull: true });
  const push = await startServer(project);
  try {
    // The index is built after initialized (the providers would be registered before it).
    for (const s of [staticPull, push]) await s.waitFor('the index status', () => s.notifications.some((n) => n.method === 'capsule/serverStatus'));
    assert.deepEqual(staticPull.registrations.filter((r) => r.method === 'textDocument/diagnostic'), []);
    assert.deepEqual(push.registrations.filter((r) => r.method === 'textDocument/diagnostic'), []);
  } finally {
    await staticPull.stop();
    await push.stop();
    rmSync(project, { recursive: true, force: true });
  }
});
