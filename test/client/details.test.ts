// The run details page: content for a completed and a failed run, and hostile task output
// and trace contents that cannot become markup or script. The page is parsed by parse5 (the
// HTML5 parsing algorithm browsers use), so "cannot execute" is checked on the real tree.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'parse5';
import { renderDetails } from '../../client/src/details/html';
import { timelineRows } from '../../client/src/details/timeline';
import type { RunInfo } from '../../client/src/runs/model';

const ENV = { nonce: 'bm9uY2U=', cspSource: 'https://webview.test', scriptUri: 'https://webview.test/details.js', styleUri: 'https://webview.test/details-style.css' };

type Node = { nodeName: string; tagName?: string; attrs?: Array<{ name: string; value: string }>; childNodes?: Node[]; value?: string; content?: Node };

function walk(n: Node, out: Node[] = []): Node[] {
  out.push(n);
  for (const c of n.childNodes ?? []) walk(c, out);
  if (n.content) walk(n.content, out);
  return out;
}
const elements = (page: string) => walk(parse(page) as unknown as Node).filter((n) => n.tagName);
const text = (page: string) => walk(parse(page) as unknown as Node).filter((n) => n.nodeName === '#text').map((n) => n.value).join('');
const attr = (n: Node, name: string) => n.attrs?.find((a) => a.name === name)?.value;

function run(over: Partial<RunInfo>): RunInfo {
  return { id: 'r1', runId: 'r1', taskName: 'add', file: 'tasks.py', state: 'completed', createdAt: 1_000, endedAt: 1_050, durationMs: 50, fuelConsumed: 1_300_000, peakMemoryBytes: 8 << 20, attempts: [{ number: 0, state: 'completed', startedAt: 1_005, endedAt: 1_050 }], children: [], ...over };
}

test('a completed run: call, arguments, pretty result with Copy and Open, usage against limits, one attempt', () => {
  const r = run({ args: { args: [2, 3], kwargs: {} }, resultJson: '{"sum":5,"parts":[2,3]}', limits: { fuel: 100_000_000, memoryLimitBytes: 64 << 20, timeoutMs: 30_000, maxRetries: 0 } });
  const page = renderDetails({ run: r, get: (id) => (id === 'r1' ? r : undefined), line: 5, output: { chunks: [{ attempt: 0, stream: 'stdout', text: 'adding\n' }], droppedBytes: 0, capBytes: 65536 }, limits: r.limits }, ENV);
  const t = text(page);
  assert.match(t, /add\(2, 3\)/);
  assert.match(t, /tasks\.py:6/);
  assert.match(t, /"sum": 5,\n {2}"parts": \[\n {4}2,/);
  assert.match(t, /fuel.*1\.3M \/ 100M/s);
  assert.match(t, /8 MB \/ 64 MB/);
  assert.match(t, /adding/);
  const buttons = elements(page).filter((e) => e.tagName === 'button').map((b) => attr(b, 'data-action'));
  assert.deepEqual(buttons.filter((b) => b === 'copyResult' || b === 'openResult'), ['copyResult', 'openResult']);
  assert.equal(elements(page).filter((e) => e.tagName === 'tr').length, 2, 'a header row and one attempt');
});

test('a failed run: the kind, its detail once, each project frame a link to its line, sub-tasks in the timeline', () => {
  const child = run({ id: 'c1', runId: 'p', parentId: 'p', taskName: 'square', args: { args: [], kwargs: { x: 3 } }, createdAt: 1_010, attempts: [{ number: 0, state: 'failed', startedAt: 1_012, endedAt: 1_030 }], state: 'failed', error: { errorType: 'task_error', message: 'x' } });
  const p = run({
    id: 'p', runId: 'p', state: 'failed', children: ['c1'],
    error: {
      errorType: 'task_error', message: "KeyError: 'missing'",
      frames: [{ file: '/capsule/sdk/capsule/_guest.py', line: 292, name: 'main' }, { file: 'tasks.py', line: 12, name: 'add' }, { file: 'tasks.py', line: 21, name: 'helper', source: "return d['missing']" }],
      traceback: 'Traceback (most recent call last):\n ...',
    },
  });
  const get = (id: string) => ({ p, c1: child } as Record<string, RunInfo>)[id];
  const page = renderDetails({ run: p, get }, ENV);
  const links = elements(page).filter((e) => attr(e, 'data-action') === 'openFrame').map((a) => [attr(a, 'data-file'), attr(a, 'data-line')]);
  assert.deepEqual(links, [['tasks.py', '12'], ['tasks.py', '21']], 'project frames only are links');
  const t = text(page);
  assert.equal(t.match(/KeyError: 'missing'/g)?.length, 1);
  assert.deepEqual(timelineRows('p', get).map((r) => [r.label, r.depth, r.outcome]), [['add', 0, 'task_error'], ['square(x=3)', 1, 'task_error']]);
  const rows = elements(page).filter((e) => attr(e, 'data-action') === 'openRun').map((e) => attr(e, 'data-id'));
  assert.deepEqual(rows, ['p', 'c1']);
});

test('hostile output, arguments, results and trace fields stay text: no element, attribute or script comes from them', () => {
  const evil = ['<script>alert(1)</script>', '<img src=x onerror=alert(2)>', '"><svg onload=alert(3)>', "'><iframe srcdoc=x>", '</pre><script>alert(4)</script>', '`${alert(5)}`', '<!--', ']]>'];
  const e = evil.join(' ');
  const r = run({
    id: `r"'<>${e}`, runId: 'r1', taskName: e, file: e, state: 'failed',
    args: { args: evil, kwargs: { [e]: e } },
    resultJson: JSON.stringify({ e }),
    error: { errorType: e, message: e, traceback: e, frames: [{ file: e, line: 3, name: e, source: e }, { file: `/${e}`, line: 4, name: e }] },
    attempts: [{ number: 0, state: 'failed', startedAt: 1_005, endedAt: 1_050, error: { errorType: e, message: e } }],
  });
  const page = renderDetails({ run: r, get: (id) => (id === 'r1' ? r : r), line: 0, output: { chunks: evil.map((text, i) => ({ attempt: 0, stream: i % 2 ? 'stderr' : 'stdout', text })), droppedBytes: 10, capBytes: 65536 } }, ENV);
  const els = elements(page);
  const scripts = els.filter((x) => x.tagName === 'script');
  assert.equal(scripts.length, 1, 'only our script');
  assert.equal(attr(scripts[0]!, 'src'), ENV.scriptUri);
  assert.equal(attr(scripts[0]!, 'nonce'), ENV.nonce);
  for (const x of els) {
    assert.ok(!['img', 'iframe', 'object', 'embed', 'frame', 'base', 'form'].includes(x.tagName!), `a <${x.tagName}> element came from input`);
    for (const a of x.attrs ?? []) assert.ok(!/^on/i.test(a.name), `<${x.tagName} ${a.name}=...> came from input`);
    if (x.tagName === 'a') assert.equal(attr(x, 'href'), '#');
  }
  const svgs = els.filter((x) => x.tagName === 'svg');
  assert.ok(svgs.every((s) => s.attrs?.every((a) => ['class', 'viewBox', 'viewbox', 'width', 'role', 'aria-label', 'xmlns', 'preserveAspectRatio', 'preserveaspectratio', 'aria-hidden'].includes(a.name))), 'only our own svg attributes');
  const csp = els.find((x) => attr(x, 'http-equiv') === 'Content-Security-Policy');
  assert.match(attr(csp!, 'content') ?? '', /default-src 'none'.*script-src 'nonce-bm9uY2U='/);
  assert.doesNotMatch(attr(csp!, 'content') ?? '', /unsafe-inline|unsafe-eval/);
  // Every hostile string is still there, as text.
  const t = text(page);
  for (const s of evil) assert.ok(t.includes(s), `${s} shown as text`);
});

test('a queue run names the worker of each attempt; a hostile worker id from the trace stays text', () => {
  const evil = '<img src=x onerror=alert(1)>"><script>alert(2)</script>';
  const r = run({
    state: 'completed',
    attempts: [
      { number: 0, state: 'failed', startedAt: 1_005, endedAt: 1_020, worker: evil, error: { errorType: 'task_error', message: 'lost' } },
      { number: 1, state: 'completed', startedAt: 1_021, endedAt: 1_050, worker: 'box-b:202' },
    ],
  });
  const page = renderDetails({ run: r, get: () => r }, ENV);
  const els = elements(page);
  const headers = els.filter((e) => e.tagName === 'th').map((e) => text(`<p>${(e.childNodes ?? []).map((c) => c.value ?? '').join('')}</p>`));
  assert.deepEqual(headers, ['#', 'outcome', 'started', 'duration', 'worker', 'error']);
  const cells = els.filter((e) => e.tagName === 'td' && attr(e, 'class') === 'worker').map((e) => (e.childNodes ?? []).map((c) => c.value).join(''));
  assert.deepEqual(cells, [evil, 'box-b:202']);
  assert.ok(!els.some((e) => e.tagName === 'img'), 'no element from the worker id');
  assert.equal(els.filter((e) => e.tagName === 'script').length, 1, 'only our script');
  assert.match(text(page), /on queue workers <img src=x/);
  // A local run has no worker column.
  const local = renderDetails({ run: run({}), get: () => undefined }, ENV);
  assert.ok(!elements(local).some((e) => e.tagName === 'th' && (e.childNodes ?? []).some((c) => c.value === 'worker')));
});
