// The open Python documents: text plus a tree-sitter tree kept in step by incremental
// edits (tree.edit, then a reparse that reuses the old tree). Trees live in wasm memory,
// so each is deleted when it is replaced and when its document closes.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Edit } from 'web-tree-sitter';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { Parser, Tree } from '../../runtime/src/discovery/parser';
import { discoverInTree, TaskReuse, type DiscoveredTask, type DiscoverOptions } from '../../runtime/src/discovery/index';

export class PythonDocument {
  private doc: TextDocument;
  private tree: Tree;
  private cached: { key: unknown; tasks: DiscoveredTask[] } | undefined;
  private readonly reuse = new TaskReuse();

  constructor(private readonly parser: Parser, readonly uri: string, text: string, version: number) {
    this.doc = TextDocument.create(uri, 'python', version, text);
    this.tree = this.parse(text);
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
    let full = false;
    for (const change of changes) {
      if (!('range' in change)) {
        full = true;
        this.doc = TextDocument.update(this.doc, [change], version);
        continue;
      }
      const startIndex = this.doc.offsetAt(change.range.start);
      const oldEndIndex = this.doc.offsetAt(change.range.end);
      const startPosition = this.doc.positionAt(startIndex);
      const oldEndPosition = this.doc.positionAt(oldEndIndex);
      this.doc = TextDocument.update(this.doc, [change], version);
      if (full) continue; // the whole text is reparsed anyway
      const newEndIndex = startIndex + change.text.length;
      const newEndPosition = this.doc.positionAt(newEndIndex);
      this.tree.edit(new Edit({
        startIndex,
        oldEndIndex,
        newEndIndex,
        startPosition: { row: startPosition.line, column: startPosition.character },
        oldEndPosition: { row: oldEndPosition.line, column: oldEndPosition.character },
        newEndPosition: { row: newEndPosition.line, column: newEndPosition.character },
      }));
    }
    const old = this.tree;
    this.tree = this.parse(this.doc.getText(), full ? null : old);
    old.delete();
    this.cached = undefined;
  }

  /** The document's tasks; cached until the text or the options object changes. */
  tasks(opts: DiscoverOptions): DiscoveredTask[] {
    if (this.cached?.key !== opts) this.cached = { key: opts, tasks: discoverInTree(this.tree, opts, this.reuse) };
    return this.cached.tasks;
  }

  /** Forget reusable results (files on disk changed: allowed_files checks may differ). */
  invalidate(): void {
    this.cached = undefined;
    this.reuse.clear();
  }

  dispose(): void {
    this.tree.delete();
    this.invalidate();
  }

  private parse(text: string, old: Tree | null = null): Tree {
    const tree = this.parser.parse(text, old);
    if (!tree) throw new Error(`tree-sitter could not parse ${this.uri}`);
    return tree;
  }
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
