// The JSON of the messages that carry a document's diagnostics, made from bytes kept per
// diagnostic and per list. A keystroke in a 10,000-decorator file changes one of its
// ~1,400 diagnostics, yet the list goes out whole (LSP has no per-document delta):
// JSON.stringify and Buffer.from of that ~370 KB message cost about 3 ms per keystroke
// (load 5), copying the kept bytes (the unchanged items before and after the changed
// ones as two blocks) a fraction of a millisecond. Only frozen diagnostics (made by
// freezeDiagnostic) are kept: their JSON cannot go stale.
import type { Diagnostic } from 'vscode-languageserver';
import type { Message } from 'vscode-languageserver/node';

const written = new WeakMap<Diagnostic, string>();
const bytes = new WeakMap<Diagnostic, Buffer>();

/** Freezes a diagnostic and what it holds (its JSON is then written once). */
export function freezeDiagnostic(d: Diagnostic): Diagnostic {
  return deepFreeze(d);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** A diagnostic's JSON as UTF-8: kept when it is frozen, else written each time. */
function diagnosticBytes(d: Diagnostic): Buffer {
  let b = bytes.get(d);
  if (b === undefined) {
    b = Buffer.from(diagnosticJson(d), 'utf8');
    if (typeof d === 'object' && d !== null && Object.isFrozen(d)) bytes.set(d, b);
  }
  return b;
}

/** A diagnostic's JSON: written once when it is frozen, else each time. */
export function diagnosticJson(d: Diagnostic): string {
  if (typeof d !== 'object' || d === null) return JSON.stringify(d) ?? 'null';
  let s = written.get(d);
  if (s === undefined) {
    s = JSON.stringify(d);
    if (Object.isFrozen(d)) written.set(d, s);
  }
  return s;
}

/** The list of diagnostics a message carries: a pull's full report, or a push. */
function carried(msg: Message): { outer: 'result' | 'params'; key: 'items' | 'diagnostics'; list: Diagnostic[] } | undefined {
  const m = msg as { result?: { kind?: unknown; items?: unknown }; method?: unknown; params?: { diagnostics?: unknown } };
  if (m.result && m.result.kind === 'full' && Array.isArray(m.result.items)) return { outer: 'result', key: 'items', list: m.result.items as Diagnostic[] };
  if (m.method === 'textDocument/publishDiagnostics' && m.params && Array.isArray(m.params.diagnostics)) return { outer: 'params', key: 'diagnostics', list: m.params.diagnostics as Diagnostic[] };
  return undefined;
}

/** `obj`'s JSON with `key` holding the JSON `inner` (written last, before the closing brace). */
function withJson(obj: object, key: string, inner: string): string {
  const rest = JSON.stringify({ ...obj, [key]: undefined });
  return `${rest.slice(0, -1)}${rest.length > 2 ? ',' : ''}${JSON.stringify(key)}:${inner}}`;
}

const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']}}');

/**
 * A list of frozen diagnostics written lately (one per document being edited): its items,
 * its JSON "[...]" (a view of the message it went out in) and where each item starts in it.
 * The next list of that document mostly holds the same objects, at its start and at its
 * end: those bytes are copied as one block, not item by item.
 */
interface WrittenList { items: Diagnostic[]; json: Buffer; starts: Int32Array }
const recent: WrittenList[] = [];
const RECENT = 8;
/** Shorter lists are written item by item (nothing worth keeping). */
const KEPT_FROM = 64;

const isFrozenObject = (d: unknown) => typeof d === 'object' && d !== null && Object.isFrozen(d);

/**
 * The message's JSON as UTF-8: the value JSON.stringify gives (keys may come in another
 * order), the diagnostics' bytes copied from those kept per diagnostic or per list.
 */
export function messageBytes(msg: Message): Buffer {
  const c = carried(msg);
  if (!c) return Buffer.from(JSON.stringify(msg), 'utf8');
  const outer = (msg as unknown as Record<string, object>)[c.outer]!;
  // The list is written last in both objects: the text ends with its "[]}}".
  const around = withJson(msg, c.outer, withJson(outer, c.key, '[]'));
  const head = Buffer.from(around.slice(0, -4), 'utf8');
  const list = c.list;
  const n = list.length;
  const keep = n >= KEPT_FROM && list.every(isFrozenObject);
  // The recent list sharing the most items with this one at its start (p) and end (s).
  let last: WrittenList | undefined;
  let p = 0;
  let s = 0;
  if (keep) {
    for (const r of recent) {
      const m = r.items.length;
      const lim = Math.min(n, m);
      let rp = 0;
      while (rp < lim && list[rp] === r.items[rp]) rp++;
      let rs = 0;
      while (rs < lim - rp && list[n - 1 - rs] === r.items[m - 1 - rs]) rs++;
      if (rp + rs > p + s) [last, p, s] = [r, rp, rs];
    }
  }
  // head "[" item "," item ... "]}}", offsets from the "[".
  const parts: Uint8Array[] = [head, OPEN];
  const starts = new Int32Array(n);
  let at = 1;
  const add = (b: Uint8Array) => {
    parts.push(b);
    at += b.length;
  };
  if (last && p > 0) {
    const end = p < last.items.length ? last.starts[p]! - 1 : last.json.length - 1;
    starts.set(last.starts.subarray(0, p));
    add(last.json.subarray(1, end));
  }
  for (let k = p; k < n - s; k++) {
    if (k > 0) add(COMMA);
    starts[k] = at;
    add(diagnosticBytes(list[k]!));
  }
  if (last && s > 0) {
    const m = last.items.length;
    if (n - s > 0) add(COMMA);
    const from = last.starts[m - s]!;
    for (let j = 0; j < s; j++) starts[n - s + j] = last.starts[m - s + j]! - from + at;
    add(last.json.subarray(from, last.json.length - 1));
  }
  add(CLOSE);
  const out = Buffer.concat(parts, head.length + at);
  if (keep) {
    if (last) recent.splice(recent.indexOf(last), 1);
    recent.push({ items: list.slice(), json: out.subarray(head.length, out.length - 2), starts });
    if (recent.length > RECENT) recent.shift();
  }
  return out;
}
