// The open Python documents: text plus a tree-sitter tree kept in step by incremental
// edits (tree.edit, then a reparse that reuses the old tree). Trees live in wasm memory,
// so each is deleted when it is replaced and when its document closes.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Edit } from 'web-tree-sitter';
import type { Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { parseSource, type Parser, type Tree } from '../../runtime/src/discovery/parser';
import { discoverInTree, TaskReuse, type DiscoveredTask, type DiscoverOptions } from '../../runtime/src/discovery/index';

/**
 * Above this size (in UTF-16 units, about bytes) a document is not parsed: a 5 MB
 * generated file cost seconds per keystroke. It gets one information message instead.
 */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

export class PythonDocument {
  private doc: TextDocument;
  /** null while the document is over MAX_DOCUMENT_BYTES. */
  private tree: Tree | null;
  private cached: { key: unknown; tasks: DiscoveredTask[] } | undefined;
  private readonly reuse = new TaskReuse();

  constructor(private readonly parser: Parser, readonly uri: string, text: string, version: number) {
    this.doc = TextDocument.create(uri, 'python', version, text);
    this.tree = text.length > MAX_DOCUMENT_BYTES ? null : this.parse(text);
  }

  /** The document's size when it is too large to check, else 0. */
  get oversized(): number {
    return this.tree ? 0 : this.doc.getText().length;
  }

  get text(): string {
    return this.doc.getText();
  }

  get version(): number {
    return this.doc.version;
  }

  get textDocument(): TextDocument {
    return this.doc;
  }

  applyChanges(changes: TextDocumentContentChangeEvent[], version: number): void {
    let full = this.tree === null;
    for (const change of changes) {
      if (!('range' in change)) {
        full = true;
        this.doc = TextDocument.update(this.doc, [change], version);
        continue;
      }
      const range = wellFormed(change.range);
      const startIndex = this.doc.offsetAt(range.start);
      const oldEndIndex = this.doc.offsetAt(range.end);
      const startPosition = this.doc.positionAt(startIndex);
      const oldEndPosition = this.doc.positionAt(oldEndIndex);
      // A "\r" just before the edit's start or end can join or split a "\r\n", which
      // changes lines the edit does not describe (see parseSource): reparse it all then.
      const before = this.doc.getText();
      if (before[startIndex - 1] === '\r' || change.text.endsWith('\r')) full = true;
      this.doc = TextDocument.update(this.doc, [change], version);
      if (full) continue; // the whole text is reparsed anyway
      const newEndIndex = startIndex + change.text.length;
      const newEndPosition = this.doc.positionAt(newEndIndex);
      this.tree!.edit(new Edit({
        startIndex,
        oldEndIndex,
        newEndIndex,
        startPosition: { row: startPosition.line, column: startPosition.character },
        oldEndPosition: { row: oldEndPosition.line, column: oldEndPosition.character },
        newEndPosition: { row: newEndPosition.line, column: newEndPosition.character },
      }));
    }
    const old = this.tree;
    const text = this.doc.getText();
    this.tree = text.length > MAX_DOCUMENT_BYTES ? null : this.parse(text, full ? null : old);
    old?.delete();
    this.cached = undefined;
  }

  /** The document's tasks; cached until the text or the options object changes. */
  tasks(opts: DiscoverOptions): DiscoveredTask[] {
    if (this.cached?.key !== opts) this.cached = { key: opts, tasks: this.tree ? discoverInTree(this.tree, opts, this.reuse) : [] };
    return this.cached.tasks;
  }

  /** Forget reusable results (files on disk changed: allowed_files checks may differ). */
  invalidate(): void {
    this.cached = undefined;
    this.reuse.clear();
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = null;
    this.invalidate();
  }

  private parse(text: string, old: Tree | null = null): Tree {
    return parseSource(this.parser, text, old);
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
