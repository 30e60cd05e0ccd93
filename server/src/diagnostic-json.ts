// The JSON of the messages that carry a document's diagnostics, made from text kept per
// diagnostic and bytes kept per list. A keystroke in a 10,000-decorator file changes one
// of its ~1,400 diagnostics, yet the list goes out whole (LSP has no per-document delta):
// JSON.stringify and Buffer.from of that ~370 KB message cost about 3 ms per keystroke
// (load 5), copying the kept bytes (the unchanged items before and after the changed
// ones as two blocks) a fraction of a millisecond. Only diagnostics made by
// freezeDiagnostic keep their JSON: frozen, it cannot go stale.
import type { Diagnostic } from 'vscode-languageserver';
import type { Message } from 'vscode-languageserver/node';

/**
 * A kept diagnostic's JSON, written when it is frozen: a property JSON.stringify and
 * deep equality skip (a symbol, not enumerable). Not a WeakMap: a line break above
 * ~1,400 diagnostics makes ~1,400 new ones, and entries of WeakMaps are what each
 * garbage collection then walks (p95 of 14 ms against 2-3 in a micro-benchmark).
 */
const JSON_TEXT = Symbol('capsule.json');
type Kept = Diagnostic & { readonly [JSON_TEXT]?: string };

/** Freezes a diagnostic and what it holds, and writes its JSON once. */
export function freezeDiagnostic(d: Diagnostic): Diagnostic {
  for (const k in d) freezeAll((d as unknown as Record<string, unknown>)[k]);
  Object.defineProperty(d, JSON_TEXT, { value: JSON.stringify(d) });
  return Object.freeze(d);
}

function freezeAll(v: unknown): void {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const k in v) freezeAll((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
}

/** A diagnostic's JSON: the one kept by freezeDiagnostic, else written now. */
export function diagnosticJson(d: Diagnostic): string {
  return (typeof d === 'object' && d !== null ? (d as Kept)[JSON_TEXT] : undefined) ?? JSON.stringify(d) ?? 'null';
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

const isKept = (d: unknown) => typeof d === 'object' && d !== null && (d as Kept)[JSON_TEXT] !== undefined;

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
  const keep = n >= KEPT_FROM && list.every(isKept);
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
  // The items between, as one text: one encoding, not one Buffer per item.
  if (n - s > p) {
    const texts: string[] = [];
    let offset = at + (p > 0 ? 1 : 0);
    for (let k = p; k < n - s; k++) {
      const json = diagnosticJson(list[k]!);
      starts[k] = offset;
      offset += Buffer.byteLength(json, 'utf8') + 1;
      texts.push(json);
    }
    add(Buffer.from(`${p > 0 ? ',' : ''}${texts.join(',')}`, 'utf8'));
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
