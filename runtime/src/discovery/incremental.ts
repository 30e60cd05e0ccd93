// The editor's discovery between keystrokes. tree-sitter's incremental reparse of a
// 10,000-decorator file costs ~30 ms by itself (it re-shifts every top-level statement),
// so the editor keeps no whole-file tree. It keeps, per top-level statement ("chunk"),
// what discovery read there (the names it binds, its decorated definitions, their tasks
// and the questions each task asked about the rest of the file), moves chunks past an
// edit, and parses only the lines edits touched (tree-sitter's includedRanges). A task
// is read again when its chunk was re-parsed or an answer it depended on changed; a
// region that does not parse cleanly on its own falls back to one whole-file parse.
import type { Span } from '../config/schema';
import { adopt, ChunkBindings, NameIndex, sameNames, type Chunk, type DefRec } from './chunks';
import { Edit } from 'web-tree-sitter';
import { firstSyntaxError, parseSource, type Node, type Parser, type Tree } from './parser';
import { collectStatement, importLine, leadOf, nestedDefs } from './statements';
import { readDef, stillHolds } from './readings';
import { importSpan, type DiscoveredTask, type DiscoverOptions } from './tasks';

/** An edit as the document applied it: indices and rows before (old) and after (new). */
export interface TextEdit {
  start: number; oldEnd: number; newEnd: number;
  startRow: number; oldEndRow: number; newEndRow: number;
  startColumn: number; oldEndColumn: number; newEndColumn: number;
}

/** The document's lines (a TextDocument): where a row starts, and the position of an index. */
export interface Lines { lineStart(row: number): number; position(index: number): { row: number; column: number } }

class NeedWholeParse extends Error {}

/**
 * How a pass's task list differs from the pass before (`before`, the list it returned):
 * `removed` replaced by `added` in place, every other task the same object, on the same
 * line unless `moved` (an edit added or removed lines before some of them). Lets the
 * server's checks that run per keystroke look at the tasks an edit touched only.
 */
export interface TaskChange {
  before: DiscoveredTask[];
  /** In list order, with their indices in `before` (removedAt) and in the new list (addedAt). */
  removed: DiscoveredTask[]; removedAt: number[];
  added: DiscoveredTask[]; addedAt: number[];
  moved: boolean;
}

export class IncrementalDiscovery {
  private chunks: Chunk[] = [];
  /** Which chunks bind each name, kept in step with `chunks`. */
  private readonly names = new NameIndex();
  /** Row ranges (inclusive, current rows) that edits touched since the last pass. */
  private dirty: Array<[number, number]> = [];
  private whole = true;
  private opts: DiscoverOptions | undefined;
  private trees: Tree[] = [];
  /** Chunks holding this pass's trees and nodes, released when it ends. */
  private holding: Chunk[] = [];
  /**
   * Could an answer a kept task got have changed? Not when edits only replaced chunks by
   * chunks binding the same names, away from the file's start, constants and `global`.
   */
  private envChanged = false;
  /** Chunks edits removed since the last pass, compared with those parsed in their place. */
  private dropped: Chunk[] = [];
  /** Chunks this pass parsed in their place. */
  private fresh: Chunk[] = [];
  /** The last pass's tasks, top-level and nested, each in source order, and the list it returned. */
  private last: { top: DiscoveredTask[]; nested: DiscoveredTask[]; all: DiscoveredTask[] } | undefined;
  /** An edit since the last pass moved kept chunks by whole lines. */
  private moved = false;
  /** What the last pass changed, when it patched the list before; null when it read the file again. */
  change: TaskChange | null = null;
  /** Whether the last pass may have moved tasks to other lines (edits added or removed lines); undefined: unknown (it read everything again). */
  linesMoved: boolean | undefined;

  /** How passes went: regions parsed alone, whole-file parses, task lists patched (the tests check each happens). */
  readonly stats = { regions: 0, whole: 0, patched: 0 };

  constructor(private readonly parser: Parser) {}

  /** Everything is read again on the next pass (files on disk changed, text replaced). */
  reset(): void {
    this.whole = true;
    this.wholeTree?.delete();
    this.wholeTree = undefined;
  }

  /**
   * The last whole-file tree, kept in step with every edit (tree.edit), so that a whole
   * parse reuses it (a file with a syntax error is parsed whole on each keystroke).
   */
  private wholeTree: Tree | undefined;

  /**
   * Valid statements at column 0 parse the same alone as in the file, while tree-sitter's
   * error recovery depends on what is around it. So in a file with a syntax error, only
   * edits before it are parsed alone (beforeFirstError); the rest parse the file whole.
   */
  private clean = false;
  /** The last whole parse's root was a module (a broken file's may be an ERROR). */
  private rootIsModule = false;

  /** Where tree-sitter first found the file broken (0-based), after the last pass; null when it parses. */
  syntaxError: { line: number; column: number } | null = null;

  edit(e: TextEdit): void {
    this.wholeTree?.edit(new Edit({
      startIndex: e.start, oldEndIndex: e.oldEnd, newEndIndex: e.newEnd,
      startPosition: { row: e.startRow, column: e.startColumn },
      oldEndPosition: { row: e.oldEndRow, column: e.oldEndColumn },
      newEndPosition: { row: e.newEndRow, column: e.newEndColumn },
    }));
    if (this.whole) return;
    const dRow = e.newEndRow - e.oldEndRow;
    // An edit on earlier lines moves the error; one on its line or after parses the file whole.
    if (this.syntaxError && e.oldEndRow < this.syntaxError.line) this.syntaxError = { line: this.syntaxError.line + dRow, column: this.syntaxError.column };
    const dIndex = e.newEnd - e.oldEnd;
    // A chunk on a touched line is read again: line by line, so text after a definition on its last line counts.
    // In place: a keystroke in a 10,000-statement file should not allocate per statement.
    const i = firstIndex(this.chunks, (c) => c.endRow >= e.startRow);
    const j = firstIndex(this.chunks, (c) => c.row > e.oldEndRow);
    let lo = e.startRow;
    let hi = e.newEndRow;
    // The lines of the chunks the edit cuts are parsed again, whole.
    for (const c of j > i ? this.chunks.splice(i, j - i) : []) {
      this.dropped.push(c);
      this.names.remove(c);
      lo = Math.min(lo, c.row);
      hi = Math.max(hi, c.endRow > e.oldEndRow ? c.endRow + dRow : e.newEndRow);
    }
    if (dRow !== 0 && i < this.chunks.length) this.moved = true;
    for (let k = i; k < this.chunks.length; k++) {
      const c = this.chunks[k]!;
      c.start += dIndex; c.end += dIndex; c.row += dRow; c.endRow += dRow;
      if (c.special) this.envChanged = true; // a constant moved: its line and index are answers
    }
    const dirty: Array<[number, number]> = [];
    for (const [a, b] of this.dirty) {
      if (b < e.startRow) dirty.push([a, b]);
      else if (a > e.oldEndRow) dirty.push([a + dRow, b + dRow]);
      else {
        lo = Math.min(lo, a);
        hi = Math.max(hi, b > e.oldEndRow ? b + dRow : e.newEndRow);
      }
    }
    dirty.push([lo, hi]);
    this.dirty = dirty.sort((x, y) => x[0] - y[0]);
  }

  /**
   * The tasks of `text`, reading again only what the edits since the last pass touched.
   * `mayHaveCR`: false when the caller knows the text has no "\r" (no scan of it per keystroke).
   */
  tasks(text: string, lines: Lines, opts: DiscoverOptions, mayHaveCR = true): DiscoveredTask[] {
    // Other options (a capsule.toml edit), or files on disk changed: every task is read again.
    const again = opts !== this.opts || this.whole;
    if (opts !== this.opts) this.whole = true;
    this.opts = opts;
    const source = mayHaveCR && text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
    try {
      try {
        if (!this.whole && (this.clean || this.rootIsModule)) {
          for (const range of this.dirty) this.reparse(range, source, lines);
          return this.read(text, source, again);
        }
      } catch (e) {
        if (!(e instanceof NeedWholeParse)) throw e;
      }
      this.parseWhole(source);
      this.envChanged = true;
      return this.read(text, source, again);
    } finally {
      this.linesMoved = again ? undefined : this.moved;
      for (const t of this.trees) t.delete();
      this.trees = [];
      for (const c of this.holding) {
        c.tree = undefined;
        for (const d of c.defs) d.node = undefined;
      }
      this.holding = [];
      this.dirty = [];
      this.dropped = [];
      this.fresh = [];
      this.envChanged = false;
      this.moved = false;
    }
  }

  private parseWhole(source: string): void {
    for (const t of this.trees) t.delete();
    this.trees = [];
    const tree = parseSource(this.parser, source, this.wholeTree ?? null);
    this.wholeTree?.delete();
    this.wholeTree = tree;
    this.stats.whole++;
    this.clean = !tree.rootNode.hasError;
    this.rootIsModule = tree.rootNode.type === 'module';
    this.syntaxError = this.clean ? null : firstSyntaxError(tree.rootNode);
    // A statement whose text did not change and that parses without error keeps its
    // chunk, so its tasks are not read again (their answers are checked in read()).
    const before = new Map<string, Chunk[]>();
    for (const c of this.chunks) {
      if (c.hasError || !c.inModule) continue;
      const list = before.get(c.text);
      if (list) list.push(c);
      else before.set(c.text, [c]);
    }
    this.chunks = [];
    for (const node of tree.rootNode.namedChildren) {
      if (!node) continue;
      const text = source.slice(node.startIndex, node.endIndex);
      // Read under a module root only: under another (tree-sitter makes some broken files
      // an ERROR root) no assignment is a constant, so such a chunk is never adopted.
      const old = node.hasError || tree.rootNode.type !== 'module' ? undefined : before.get(text)?.shift();
      this.chunks.push(old ? adopt(old, node, tree) : this.chunkOf(node, tree, source));
    }
    this.names.reset(this.chunks);
    this.holding = [...this.chunks];
    this.whole = false;
  }

  /** Parses the lines of one touched range (with the chunks it cuts) and splices its chunks in. */
  private reparse([from0, to0]: [number, number], source: string, lines: Lines): void {
    let from = from0;
    let to = to0;
    let i = 0;
    let j = 0;
    for (;;) {
      i = firstIndex(this.chunks, (c) => c.endRow >= from);
      j = firstIndex(this.chunks, (c) => c.row > to);
      // A chunk cut by the range, sharing a line with one, or that did not parse on its own widens it.
      let wider = false;
      for (let k = i; k < j; k++) {
        const c = this.chunks[k]!;
        if (c.row < from) { from = c.row; wider = true; }
        if (c.endRow > to) { to = c.endRow; wider = true; }
      }
      const prev = this.chunks[i - 1];
      if (prev?.hasError) { from = prev.row; wider = true; }
      const next = this.chunks[j];
      if (next && (next.hasError || next.column !== 0)) { to = next.endRow; wider = true; }
      if (!wider) break;
    }
    if (!this.clean && !this.beforeFirstError(j)) throw new NeedWholeParse();
    const next = this.chunks[j];
    const startIndex = lines.lineStart(from);
    const endIndex = next ? next.start : source.length;
    const end = next ? { row: next.row, column: 0 } : lines.position(source.length);
    if (startIndex >= endIndex) {
      this.drop(this.chunks.splice(i, j - i));
      if (this.dropped.some((c) => c.names.length > 0 || c.special) || i === 0) this.envChanged = true;
      return;
    }
    const tree = this.parser.parse(source, null, { includedRanges: [{ startIndex, endIndex, startPosition: { row: from, column: 0 }, endPosition: end }] });
    if (!tree) throw new Error('tree-sitter returned no tree');
    this.trees.push(tree);
    if (tree.rootNode.hasError) throw new NeedWholeParse();
    const nodes = tree.rootNode.namedChildren.filter((n): n is Node => n !== null);
    // An indented statement continues the block of the statement before it (a line
    // indented under a `def`): parse again with that statement.
    if (nodes.some((n) => n.startPosition.column !== 0)) {
      const prev = this.chunks[i - 1];
      if (!prev) throw new NeedWholeParse();
      return this.reparse([prev.row, to], source, lines);
    }
    this.stats.regions++;
    const fresh = nodes.map((node) => this.chunkOf(node, tree, source));
    this.drop(this.chunks.splice(i, j - i, ...fresh));
    for (const c of fresh) this.names.add(c);
    this.holding.push(...fresh);
    this.fresh.push(...fresh);
    if (i === 0 || !sameNames(this.dropped, fresh)) this.envChanged = true;
  }

  /**
   * In a file with a syntax error: do the chunks before index `j` lie before the first
   * chunk holding an error, with a clean statement between (error recovery can reach
   * back into the statement before the error)?
   */
  private beforeFirstError(j: number): boolean {
    const bad = this.chunks.findIndex((c) => c.hasError);
    return bad > j || (bad < 0 && this.syntaxError === null);
  }

  private drop(gone: Chunk[]): void {
    for (const c of gone) {
      this.dropped.push(c);
      this.names.remove(c);
    }
  }

  private chunkOf(node: Node, tree: Tree, source: string): Chunk {
    const start = node.startIndex;
    const row = node.startPosition.row;
    const c: Chunk = {
      start, end: node.endIndex, row, endRow: node.endPosition.row, column: node.startPosition.column, hasError: node.hasError, text: source.slice(start, node.endIndex),
      lead: leadOf(node), inModule: tree.rootNode.type === 'module', names: [], defs: [], special: /\bglobal\b/.test(source.slice(start, node.endIndex)), tree,
    };
    const known = new Set<number>();
    collectStatement(node, c.inModule, {
      bind: (name, kind, index) => c.names.push({ name, kind, off: index - start }),
      assign: (name, value, index, r, topLevel) =>
        c.names.push({ name, kind: 'other', off: index - start, value: { text: value.text, type: value.type, start: value.startIndex - start, end: value.endIndex - start, rowOff: r - row, topLevel } }),
      def: (n, place) => {
        known.add(n.startIndex);
        c.defs.push({ off: n.startIndex - start, end: n.endIndex - start, nested: false, place, node: n });
      },
      walrus: c.text.includes(':='),
    }, null);
    nestedDefs(tree.rootNode, source, start, c.end, known, (n, place) => c.defs.push({ off: n.startIndex - start, end: n.endIndex - start, nested: true, place, node: n }));
    if (c.names.some((r) => r.value)) c.special = true;
    return c;
  }

  /** The tree holding a chunk: this pass's, or the chunk's lines parsed alone. */
  private treeOf(c: Chunk, source: string): Tree {
    if (c.tree) return c.tree;
    if (c.hasError || c.column !== 0) throw new NeedWholeParse();
    const tree = this.parser.parse(source, null, { includedRanges: [{ startIndex: c.start, endIndex: c.end, startPosition: { row: c.row, column: 0 }, endPosition: { row: c.endRow, column: 0 } }] });
    if (!tree) throw new Error('tree-sitter returned no tree');
    this.trees.push(tree);
    this.holding.push(c);
    c.tree = tree;
    return tree;
  }

  private nodeOf(c: Chunk, source: string, start: number, end: number, type: string): Node {
    let n: Node | null = this.treeOf(c, source).rootNode.descendantForIndex(start, end);
    while (n && !(n.type === type && n.startIndex === start && n.endIndex === end)) n = n.parent;
    if (!n) throw new NeedWholeParse();
    return n;
  }

  private read(text: string, source: string, again: boolean): DiscoveredTask[] {
    const names = new ChunkBindings(this.names, text, (c, v) => this.nodeOf(c, source, c.start + v.start, c.start + v.end, v.type));
    let point: Span | undefined;
    const importPoint = () => (point ??= importSpan(text, importLine(this.chunks)));
    const last = this.last;
    this.last = undefined; // until this pass ends well
    this.change = null;
    const top: DiscoveredTask[] = [];
    const nested: DiscoveredTask[] = [];
    const readAgain = (c: Chunk, d: DefRec) => {
      const node = d.node ?? this.nodeOf(c, source, c.start + d.off, c.start + d.end, 'decorated_definition');
      d.reading = readDef(node, d.place, names, text, this.opts!, importPoint, c);
    };
    // Every answer still holds: only the statements parsed again have new tasks, so the
    // last lists are patched (a keystroke in a 10,000-task file visits a few tasks, not all).
    if (last && !again && !this.envChanged) {
      const gone = new Set(this.dropped);
      const patched = { top: last.top.slice(), nested: last.nested.slice() };
      const removed: DiscoveredTask[] = [];
      const added: DiscoveredTask[] = [];
      for (const c of this.dropped) {
        for (const d of c.defs) {
          const list = d.nested ? patched.nested : patched.top;
          const k = d.reading?.task ? list.indexOf(d.reading.task) : -1;
          if (k < 0) continue;
          list.splice(k, 1);
          removed.push(d.reading!.task!);
        }
      }
      for (const c of this.fresh) {
        if (gone.has(c)) continue;
        for (const d of c.defs) {
          readAgain(c, d);
          const task = d.reading!.task;
          if (!task) continue;
          const list = d.nested ? patched.nested : patched.top;
          const start = task.span.startIndex;
          list.splice(firstIndex(list, (t) => t.span.startIndex > start), 0, task);
          added.push(task);
        }
      }
      const all = patched.top.concat(patched.nested);
      const r = inOrder(removed, last.all);
      const a = inOrder(added, all);
      this.change = { before: last.all, removed: r.tasks, removedAt: r.at, added: a.tasks, addedAt: a.at, moved: this.moved };
      this.last = { ...patched, all };
      this.stats.patched++;
      return all;
    }
    for (const c of this.chunks) {
      for (const d of c.defs) {
        const defStart = c.start + d.off;
        if (again || !d.reading || (this.envChanged && !stillHolds(d.reading.queries, names, defStart, importPoint))) readAgain(c, d);
        if (d.reading!.task) (d.nested ? nested : top).push(d.reading!.task);
      }
    }
    const all = top.concat(nested);
    this.last = { top, nested, all };
    return all;
  }
}

/** `tasks` in the order they have in `list`, with their indices (a few tasks: indexOf is cheaper than a map of the list). */
function inOrder(tasks: DiscoveredTask[], list: DiscoveredTask[]): { tasks: DiscoveredTask[]; at: number[] } {
  const pairs = tasks.map((t) => ({ t, at: list.indexOf(t) })).sort((x, y) => x.at - y.at);
  return { tasks: pairs.map((p) => p.t), at: pairs.map((p) => p.at) };
}

/** The first index whose item passes `test` (items are in order, `test` monotone). */
function firstIndex<T>(chunks: T[], test: (c: T) => boolean): number {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (test(chunks[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
