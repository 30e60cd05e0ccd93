// The JSON of the messages that carry a document's diagnostics, made from each
// diagnostic's JSON written once. A keystroke in a 10,000-decorator file changes one of
// its ~1,400 diagnostics, yet the list goes out whole (LSP has no per-document delta):
// JSON.stringify of that ~370 KB message cost about 4 ms per keystroke, joining the
// kept pieces about 0.5 ms. Only frozen diagnostics (made by freezeDiagnostic) are
// written once: their JSON cannot go stale.
import type { Diagnostic } from 'vscode-languageserver';
import type { ContentTypeEncoder, Message } from 'vscode-languageserver/node';

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
const CLOSE = Buffer.from(']}}');

/**
 * The message's JSON as UTF-8: the value JSON.stringify gives (keys may come in another
 * order), the diagnostics' bytes copied from those kept per diagnostic.
 */
export function messageBytes(msg: Message): Buffer {
  const c = carried(msg);
  if (!c) return Buffer.from(JSON.stringify(msg), 'utf8');
  const outer = (msg as unknown as Record<string, object>)[c.outer]!;
  // The list is written last in both objects: the text ends with its "[]}}".
  const around = withJson(msg, c.outer, withJson(outer, c.key, '[]'));
  const parts: Buffer[] = [Buffer.from(around.slice(0, -3), 'utf8')];
  for (let k = 0; k < c.list.length; k++) {
    if (k > 0) parts.push(COMMA);
    parts.push(diagnosticBytes(c.list[k]!));
  }
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/** vscode-jsonrpc's application/json encoder (UTF-8, the only charset it offers), with the diagnostics' JSON written once. */
export const diagnosticsEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode: (msg: Message) => Promise.resolve(messageBytes(msg)),
};
