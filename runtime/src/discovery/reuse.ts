// Reuse of discovery results between edits. A decorated definition whose text (and
// indentation, imports and options) did not change gives the same task, only moved: its
// spans are shifted instead of walking its nodes again, which is what keeps a one-key
// edit in a 5,000-line file within a few milliseconds.
import type { Span } from '../config/schema';
import type { DiscoveredTask } from './tasks';

interface Cached { task: DiscoveredTask | null; startIndex: number; startRow: number }

export class TaskReuse {
  private previous = new Map<string, Cached>();
  private next = new Map<string, Cached>();
  private context: unknown;

  /** Function names by definition text, from the last pass (see discoverInTree). */
  defNames: ReadonlyMap<string, string> = new Map();

  /** Starts a pass; a different context (imports, options) drops everything cached. */
  begin(context: string, opts: unknown, defNames: ReadonlyMap<string, string>): void {
    if (this.context !== opts || this.contextKey !== context) this.previous.clear();
    this.context = opts;
    this.contextKey = context;
    this.next = new Map();
    this.defNames = defNames;
  }

  private contextKey = '';

  /** The task for this definition if it was seen unchanged; `undefined` if not seen. */
  take(key: string, startIndex: number, startRow: number): DiscoveredTask | null | undefined {
    const hit = this.previous.get(key);
    if (!hit) return undefined;
    const dIndex = startIndex - hit.startIndex;
    const dRow = startRow - hit.startRow;
    const task = hit.task && (dIndex || dRow) ? shift(hit.task, dIndex, dRow) : hit.task;
    this.next.set(key, { task, startIndex, startRow });
    return task;
  }

  put(key: string, startIndex: number, startRow: number, task: DiscoveredTask | null): void {
    this.next.set(key, { task, startIndex, startRow });
  }

  /** Ends a pass: what was not seen in it is forgotten. */
  end(): void {
    this.previous = this.next;
    this.next = new Map();
  }

  clear(): void {
    this.previous.clear();
    this.next.clear();
    this.context = undefined;
    this.defNames = new Map();
  }
}

function isSpan(v: object): v is Span {
  return 'startIndex' in v && 'endIndex' in v && 'start' in v && 'end' in v;
}

/** A copy with every span moved; columns stay, since the definition's text is the same. */
function shift<T>(v: T, dIndex: number, dRow: number): T {
  if (Array.isArray(v)) return v.map((x) => shift(x, dIndex, dRow)) as T;
  if (v === null || typeof v !== 'object') return v;
  if (isSpan(v)) {
    return {
      startIndex: v.startIndex + dIndex,
      endIndex: v.endIndex + dIndex,
      start: { line: v.start.line + dRow, column: v.start.column },
      end: { line: v.end.line + dRow, column: v.end.column },
    } as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = shift(x, dIndex, dRow);
  return out as T;
}
