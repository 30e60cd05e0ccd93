// What the editor keeps per top-level statement between edits (see incremental.ts), and
// the module's bindings read from those records: a name's bindings are gathered when a
// task first asks about it (from a NameIndex of the chunks binding each name), since a
// task asks about a few names (task, capsule, its constants) and a file may bind tens of thousands.
import type { Span } from '../config/schema';
import { declaredGlobal, meaningAt, type Binding, type BindingKind, type Bindings, type Constant } from './bindings';
import type { Node, Tree } from './parser';
import { leadOf, type Lead } from './statements';
import type { DiscoveredTask } from './tasks';

/** A question a task asked about the file outside its definition, with the answer it got. */
export interface Query { kind: 'at' | 'bound' | 'const' | 'import'; name: string; rel: number; answer: string }
/** A definition's reading: its task (or null), its questions, and its spans that move with it. */
export interface Reading { task: DiscoveredTask | null; queries: Query[] }
export interface DefRec { off: number; end: number; nested: boolean; place: string | null; node?: Node; reading?: Reading }
export interface NameRec { name: string; kind: BindingKind; off: number; value?: { text: string; type: string; start: number; end: number; rowOff: number; topLevel: boolean } }
export interface Chunk {
  start: number; end: number; row: number; endRow: number; column: number; hasError: boolean; lead: Lead;
  /** Read under a module root (else, in a broken file, no assignment is a constant). */
  inModule: boolean;
  /** The statement's text, to know it again after a whole-file parse. */
  text: string;
  names: NameRec[]; defs: DefRec[];
  /** Binds a constant or says `global`: an edit near it may change other tasks' answers. */
  special: boolean;
  /** This pass's tree holding the chunk, when it was parsed in it. */
  tree?: Tree;
}


/**
 * Which chunks bind each name, kept between passes by the editor (chunks are added and
 * removed as edits replace them), so a task asking about `task` costs the chunks that
 * bind it, not a walk over every statement of the file.
 */
export class NameIndex {
  private readonly byName = new Map<string, Set<Chunk>>();

  add(c: Chunk): void {
    for (const r of c.names) {
      let set = this.byName.get(r.name);
      if (!set) this.byName.set(r.name, (set = new Set()));
      set.add(c);
    }
  }

  remove(c: Chunk): void {
    for (const r of c.names) {
      const set = this.byName.get(r.name);
      if (set?.delete(c) && set.size === 0) this.byName.delete(r.name);
    }
  }

  /** Everything again, from `chunks` (after a whole-file parse). */
  reset(chunks: Chunk[]): void {
    this.byName.clear();
    for (const c of chunks) this.add(c);
  }

  /** The chunks binding `name`, in source order. */
  chunksBinding(name: string): Chunk[] {
    const set = this.byName.get(name);
    if (!set) return [];
    const list = [...set];
    return list.length > 1 ? list.sort((a, b) => a.start - b.start) : list;
  }
}

export class ChunkBindings implements Bindings {
  private readonly byName = new Map<string, { list: Binding[]; first?: Constant }>();
  private readonly constants = new Map<string, Constant | undefined>();

  constructor(private readonly index: NameIndex, private readonly text: string, private readonly nodeOf: (c: Chunk, v: NonNullable<NameRec['value']>) => Node) {}

  at(name: string, index: number): BindingKind | undefined {
    return meaningAt(this.entry(name).list, this.entry('*').list, index);
  }

  bound(name: string): boolean {
    return this.entry(name).list.length > 0;
  }

  constant(name: string, index: number): { value: Node; index: number; line: number } | undefined {
    const c = this.constantEntry(name);
    return c && c.index < index ? { value: c.node(), index: c.index, line: c.line } : undefined;
  }

  constantEntry(name: string): Constant | undefined {
    if (!this.constants.has(name)) {
      const e = this.entry(name);
      this.constants.set(name, e.first && e.list.length === 1 && !declaredGlobal(name, this.text) ? e.first : undefined);
    }
    return this.constants.get(name);
  }

  private entry(name: string): { list: Binding[]; first?: Constant } {
    let e = this.byName.get(name);
    if (e) return e;
    e = { list: [] };
    for (const c of this.index.chunksBinding(name)) for (const r of c.names) if (r.name === name) this.add(e, c, r);
    this.byName.set(name, e);
    return e;
  }

  private add(e: { list: Binding[]; first?: Constant }, c: Chunk, r: NameRec): void {
    const index = c.start + r.off;
    e.list.push({ name: r.name, kind: r.kind, index });
    const v = r.value;
    if (v?.topLevel && !e.first) e.first = { name: r.name, text: v.text, node: () => this.nodeOf(c, v), index, line: c.row + v.rowOff, valueStart: c.start + v.start };
  }
}

/** Where a chunk is now: spans inside it are kept relative to it, so moving it moves them. */
export interface Moved { start: number; row: number }

/** A position inside a definition: its line follows the chunk's moves. */
class MovingPoint {
  constructor(private readonly relLine: number, readonly column: number, private readonly at: Moved) {}
  get line(): number {
    return this.relLine + this.at.row;
  }
  toJSON(): { line: number; column: number } {
    return { line: this.line, column: this.column };
  }
}

/** A span inside a definition, following the chunk's moves (a keystroke moves every later task). */
class MovingSpan implements Span {
  readonly start: MovingPoint;
  readonly end: MovingPoint;
  private readonly relStart: number;
  private readonly relEnd: number;
  constructor(s: Span, private readonly at: Moved) {
    this.relStart = s.startIndex - at.start;
    this.relEnd = s.endIndex - at.start;
    this.start = new MovingPoint(s.start.line - at.row, s.start.column, at);
    this.end = new MovingPoint(s.end.line - at.row, s.end.column, at);
  }
  get startIndex(): number {
    return this.relStart + this.at.start;
  }
  get endIndex(): number {
    return this.relEnd + this.at.start;
  }
  toJSON(): Span {
    return { startIndex: this.startIndex, endIndex: this.endIndex, start: this.start.toJSON(), end: this.end.toJSON() };
  }
}

/**
 * Replaces, in place, the task's spans that lie inside its definition with spans that
 * follow the chunk (shared spans stay shared); spans elsewhere (where an import goes,
 * a constant's value) stay put.
 */
export function follow(task: DiscoveredTask, start: number, end: number, moved: Moved): void {
  const made = new Map<object, MovingSpan>();
  // for-in and index loops: no key array per object (this runs for every task a file opens with).
  const step = (o: Record<string | number, unknown>, k: string | number, v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    const s = v as Span;
    if (typeof s.startIndex === 'number' && typeof s.endIndex === 'number' && typeof s.start === 'object') {
      if (s.startIndex < start || s.endIndex > end) return;
      let m = made.get(s);
      if (!m) made.set(s, (m = new MovingSpan(s, moved)));
      o[k] = m;
    } else visit(v as Record<string, unknown>);
  };
  const visit = (o: Record<string | number, unknown>): void => {
    if (Array.isArray(o)) for (let i = 0; i < o.length; i++) step(o, i, o[i]);
    else for (const k in o) if (k !== 'config') step(o, k, o[k]);
  };
  visit(task as unknown as Record<string, unknown>);
}

/**
 * The old chunk of a statement with the same text, moved to where the statement now is;
 * its tasks' spans follow it, and a task read again finds its node in `tree`.
 */
export function adopt(old: Chunk, node: Node, tree: Tree): Chunk {
  old.start = node.startIndex;
  old.end = node.endIndex;
  old.row = node.startPosition.row;
  old.endRow = node.endPosition.row;
  old.column = node.startPosition.column;
  old.lead = leadOf(node);
  old.tree = tree;
  for (const d of old.defs) d.node = undefined;
  return old;
}

/** The same names bound, in the same order, with the same kinds (constants are `special`). */
export function sameNames(dropped: Chunk[], fresh: Chunk[]): boolean {
  if (dropped.some((c) => c.special) || fresh.some((c) => c.special)) return false;
  const a = dropped.sort((x, y) => x.start - y.start).flatMap((c) => c.names);
  const b = fresh.flatMap((c) => c.names);
  return a.length === b.length && a.every((r, k) => r.name === b[k]!.name && r.kind === b[k]!.kind);
}
