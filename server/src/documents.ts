// The open Python documents: text, and the tasks read from it, kept between edits by
// IncrementalDiscovery (only the lines an edit touched are parsed again).
import { EditedText } from './edited-text';
import type { Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { Parser } from '../../runtime/src/discovery/parser';
import { TaskDiagnostics } from './diagnostics';
import { CallerCheck, IncrementalDiscovery, type DiscoveredTask, type DiscoverOptions, type Lines, type TaskChange } from '../../runtime/src/discovery/index';

/**
 * Above this size (in UTF-16 units, about bytes) a document is not parsed: a 5 MB
 * generated file cost seconds per keystroke. It gets one information message instead.
 */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

/** What python3 may refuse before parsing: a NUL, or bytes the editor could not decode (U+FFFD). */
const SUSPECT = /[\0\uFFFD]/;

export class PythonDocument {
  private readonly doc: EditedText;
  /** The text may hold a SUSPECT character: checked on open and in each change's text, not the whole text per keystroke. */
  private suspect: boolean;
  /** The text may hold a "\r" (checked as `suspect` is): else discovery need not look for one. */
  private mayHaveCR: boolean;
  private cached: { key: unknown; tasks: DiscoveredTask[]; change: TaskChange | null; linesMoved: boolean | undefined } | undefined;
  private readonly discovery: IncrementalDiscovery;
  /** Callers of tasks that cannot run, checked again only when that can have changed. */
  readonly callers = new CallerCheck();
  /** Diagnostics made from its tasks' problems (see taskDiagnostics). */
  readonly diagnostics = new TaskDiagnostics();
  private readonly lines: Lines = {
    lineStart: (row) => this.doc.offsetAt({ line: row, character: 0 }),
    position: (index) => {
      const p = this.doc.positionAt(index);
      return { row: p.line, column: p.character };
    },
  };

  constructor(parser: Parser, readonly uri: string, text: string, version: number) {
    this.doc = new EditedText(uri, 'python', version, text);
    this.discovery = new IncrementalDiscovery(parser);
    this.suspect = SUSPECT.test(text);
    this.mayHaveCR = text.includes('\r');
  }

  /** Whether the text may be one python3 refuses before parsing (see SUSPECT); false for most texts at no cost. */
  get mayBeUnreadable(): boolean {
    if (this.suspect) this.suspect = SUSPECT.test(this.doc.getText());
    return this.suspect;
  }

  /** Where tree-sitter found the text broken, as of the last tasks() call; null when it parses. */
  get syntaxError(): { line: number; column: number } | null {
    return this.oversized ? null : this.discovery.syntaxError;
  }

  /** How its passes went (see IncrementalDiscovery.stats). */
  get discoveryStats(): { regions: number; whole: number; patched: number } {
    return this.discovery.stats;
  }

  /** The document's size when it is too large to check, else 0. */
  get oversized(): number {
    const n = this.doc.getText().length;
    return n > MAX_DOCUMENT_BYTES ? n : 0;
  }

  get text(): string {
    return this.doc.getText();
  }

  get version(): number {
    return this.doc.version;
  }

  get textDocument(): EditedText {
    return this.doc;
  }

  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (SUSPECT.test(change.text)) this.suspect = true;
      if (change.text.includes('\r')) this.mayHaveCR = true;
      if (!('range' in change)) {
        this.discovery.reset();
        this.doc.update([change], version);
        continue;
      }
      const range = wellFormed(change.range);
      const start = this.doc.offsetAt(range.start);
      const oldEnd = this.doc.offsetAt(range.end);
      const from = this.doc.positionAt(start);
      const oldTo = this.doc.positionAt(oldEnd);
      // A "\r" just before the edit's start or end can join or split a "\r\n", which
      // changes lines the edit does not describe (see parseSource): read it all again then.
      if (this.doc.getText()[start - 1] === '\r' || change.text.endsWith('\r')) this.discovery.reset();
      this.doc.update([change], version);
      const newEnd = start + change.text.length;
      const newTo = this.doc.positionAt(newEnd);
      this.discovery.edit({
        start, oldEnd, newEnd,
        startRow: from.line, oldEndRow: oldTo.line, newEndRow: newTo.line,
        startColumn: from.character, oldEndColumn: oldTo.character, newEndColumn: newTo.character,
      });
    }
    if (this.oversized) this.discovery.reset();
    this.cached = undefined;
  }

  /** The document's tasks; cached until the text or the options object changes. */
  tasks(opts: DiscoverOptions): DiscoveredTask[] {
    if (this.cached?.key !== opts) {
      const tasks = this.oversized ? [] : this.discovery.tasks(this.doc.getText(), this.lines, opts, this.mayHaveCR);
      this.cached = { key: opts, tasks, change: this.oversized ? null : this.discovery.change, linesMoved: this.oversized ? undefined : this.discovery.linesMoved };
    }
    return this.cached.tasks;
  }

  /** How the last tasks() list differs from the one before it (see TaskChange); null when unknown. */
  get change(): TaskChange | null {
    return this.cached?.change ?? null;
  }

  /** Whether the last tasks() pass may have moved tasks to other lines than the pass before; undefined: unknown. */
  get linesMoved(): boolean | undefined {
    return this.cached?.linesMoved;
  }

  /** Read everything again (files on disk changed: allowed_files checks may differ). */
  invalidate(): void {
    this.cached = undefined;
    this.discovery.reset();
  }

  dispose(): void {
    this.cached = undefined;
    this.discovery.reset(); // frees the kept tree
  }
}

/** Start before end, as TextDocument.update orders an inverted range; the tree's edit must match. */
function wellFormed(range: Range): Range {
  const { start, end } = range;
  return start.line > end.line || (start.line === end.line && start.character > end.character) ? { start: end, end: start } : range;
}

/** The open documents by URI; replacing or closing one disposes its tree. */
export class DocumentStore {
  private docs = new Map<string, PythonDocument>();

  constructor(private readonly parser: Parser) {}

  open(uri: string, text: string, version: number): PythonDocument {
    this.docs.get(uri)?.dispose();
    const doc = new PythonDocument(this.parser, uri, text, version);
    this.docs.set(uri, doc);
    return doc;
  }

  get(uri: string): PythonDocument | undefined {
    return this.docs.get(uri);
  }

  close(uri: string): void {
    this.docs.get(uri)?.dispose();
    this.docs.delete(uri);
  }

  all(): PythonDocument[] {
    return [...this.docs.values()];
  }

  dispose(): void {
    for (const d of this.docs.values()) d.dispose();
    this.docs.clear();
  }
}
