// A Python document's diagnostics, and how they reach the client. A client that can
// pull (LSP 3.17 textDocument/diagnostic; vscode-languageclient pulls on open and on
// each change, one request in flight per document) gets a resultId with each report
// and "unchanged" while the diagnostics are the same: a 10,000-decorator file has
// ~1,400 of them, a ~380 KB message, and most keystrokes (in a body, a comment) change
// none. Other clients get them pushed after each change, as before.
import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, DocumentDiagnosticReportKind, type Connection, type Diagnostic, type DocumentDiagnosticReport } from 'vscode-languageserver';
import { checkSourceBytes } from '../../runtime/src/discovery/source-check';
import type { DiscoveredTask } from '../../runtime/src/discovery/index';
import { SOURCE, type Duplicate } from './diagnostics';
import { PulledReports } from './diagnostic-groups';
import { MAX_DOCUMENT_BYTES, type PythonDocument } from './documents';
import { PythonCompile } from '../../runtime/src/discovery/python-compile';
import { compileDiagnostic, treeSitterSyntaxError } from './syntax-check';

/** What the diagnostics are made from; the server owns the documents, projects and index. */
export interface DiagnosticInputs {
  tasks(doc: PythonDocument): DiscoveredTask[];
  duplicates(doc: PythonDocument): Duplicate[];
  path(uri: string): string | undefined;
  /** The document open under `uri` now (a python3 answer may come after a close). */
  current(uri: string): PythonDocument | undefined;
  /** python3 answered that a file compiles after all, or does not: its run lenses change. */
  compilesChanged(): void;
}

export class DocumentDiagnostics {
  private readonly syntaxCheck = new PythonCompile();
  private readonly syntax = new Map<string, { version: number; diagnostic: Diagnostic | null }>();
  private readonly checking = new Set<string>();
  /** Documents python3 answered for since the client last heard (answered()). */
  private readonly answeredUris = new Set<string>();
  /** Whether one of those answers changed whether its file compiles (its run lenses come or go). */
  private compiledChanged = false;
  /** The last report per document and provider (pull mode), and the id the client holds. */
  private readonly reports = new PulledReports();
  /** The last list per document, handed back while what it is made of is the same objects. */
  private readonly lists = new WeakMap<PythonDocument, { syntax: Diagnostic | null | undefined; tasks: Diagnostic[]; out: Diagnostic[] }>();
  private stopped = false;

  /**
   * `pull`: the client asks (textDocument/diagnostic), and is told to ask again
   * (workspace/diagnostic/refresh, when it supports it) when they change without an edit.
   * `groups`: the client registered a provider per group (diagnostic-groups.ts).
   */
  constructor(private readonly connection: Connection, private readonly inputs: DiagnosticInputs, readonly pull: { refresh: boolean; groups: boolean } | null) {}

  /** The document changed (or what it is checked against did): push mode sends them now. */
  changed(doc: PythonDocument): void {
    if (!this.pull) void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: this.of(doc) });
  }

  /** Many documents changed without an edit (capsule.toml, files on disk). */
  changedAll(docs: PythonDocument[]): void {
    if (this.pull) this.refresh();
    else for (const doc of docs) this.changed(doc);
  }

  /** The answer to textDocument/diagnostic: the provider `identifier`'s part of the list, or all of it. */
  report(uri: string, previousResultId: string | undefined, identifier?: string): DocumentDiagnosticReport {
    const doc = this.inputs.current(uri);
    if (!doc) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    return this.reports.report(uri, identifier, this.of(doc), previousResultId);
  }

  closed(uri: string): void {
    this.syntax.delete(uri);
    this.reports.forget(uri);
    if (!this.pull) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  stop(): void {
    this.stopped = true;
  }

  /** The document's diagnostics now. */
  of(doc: PythonDocument): Diagnostic[] {
    if (doc.oversized) return [oversizedNotice(doc.oversized)];
    const path = this.inputs.path(doc.uri);
    const refused = unreadable(doc, path);
    if (refused) return [refused];
    const tasks = this.inputs.tasks(doc);
    const change = doc.change;
    const diagnostics = doc.diagnostics.of(tasks, path ? this.inputs.duplicates(doc) : [], doc.callers.blocked(tasks, doc.text, change), change);
    const syntax = this.syntaxDiagnostic(doc);
    const last = this.lists.get(doc);
    if (last && last.syntax === syntax && last.tasks === diagnostics) return last.out;
    const out = syntax ? [syntax, ...diagnostics] : diagnostics;
    this.lists.set(doc, { syntax, tasks: diagnostics, out });
    return out;
  }

  /** Run lenses only for a file that compiles (a run of one that does not can only fail). */
  compiles(doc: PythonDocument): boolean {
    if (unreadable(doc, this.inputs.path(doc.uri))) return false;
    const known = this.syntax.get(doc.uri);
    if (known?.version === doc.version) return known.diagnostic === null;
    return !doc.syntaxError && !known?.diagnostic;
  }

  private refresh(): void {
    if (this.pull?.refresh) void this.connection.languages.diagnostics.refresh().catch(() => undefined);
  }

  /**
   * The file's syntax error as `capsule run` will report it: CPython's, from the host's
   * python3 (asked once per version, one question in flight per document; the answer
   * publishes again), else where tree-sitter found it. Undefined while python3 thinks.
   */
  private syntaxDiagnostic(doc: PythonDocument): Diagnostic | null | undefined {
    const at = doc.syntaxError;
    const known = this.syntax.get(doc.uri);
    if (known?.version === doc.version) return known.diagnostic;
    // Asked when the file opens, while tree-sitter sees an error, and until an error
    // python3 reported is gone (tree-sitter accepts some code CPython refuses).
    if (!at && known && known.diagnostic === null) return null;
    const path = this.inputs.path(doc.uri);
    if (!path || this.syntaxCheck.unavailable) return at ? treeSitterSyntaxError(at) : null;
    if (this.checking.has(doc.uri)) return undefined; // the answer in flight asks again
    this.checking.add(doc.uri);
    const { version, text } = doc;
    void this.syntaxCheck.check(text, path).then((e) => {
      this.checking.delete(doc.uri);
      const now = this.inputs.current(doc.uri);
      if (!now || this.stopped) return;
      const compiled = this.compiles(now);
      if (now.version === version) this.syntax.set(doc.uri, { version, diagnostic: e === undefined ? at && treeSitterSyntaxError(at) : e && compileDiagnostic(e) });
      if (now.version === version || now.syntaxError || this.syntax.get(doc.uri)?.diagnostic) this.answered(doc.uri, this.compiles(now) !== compiled);
    });
    return undefined;
  }

  /**
   * python3's answers come one by one (a workspace opening 200 files gets 200): the
   * client hears of them once per turn, not once per answer (each refresh makes it
   * pull every open document again). Lenses are asked again only when an answer changed
   * whether a file compiles: a lens refresh makes VS Code drop the commands of the lenses
   * it shows, and a click landing then fails ("Actual command not found"; seen in the
   * vsix e2e, a click just after the file opened, when python3's first answer came).
   */
  private answered(uri: string, compiledChanged: boolean): void {
    this.answeredUris.add(uri);
    this.compiledChanged ||= compiledChanged;
    if (this.answeredUris.size > 1) return;
    setImmediate(() => {
      const uris = [...this.answeredUris];
      const lenses = this.compiledChanged;
      this.answeredUris.clear();
      this.compiledChanged = false;
      if (this.stopped) return;
      if (this.pull) this.refresh();
      else for (const u of uris) {
        const now = this.inputs.current(u);
        if (now) this.changed(now);
      }
      if (lenses) this.inputs.compilesChanged();
    });
  }
}

/**
 * What python3 (and so `capsule run`) refuses before parsing: NUL bytes, undeclared
 * non-UTF-8 bytes. The editor shows bytes it could not decode as U+FFFD, so then the
 * file's own bytes are checked. The same check and message as the CLI's.
 */
function unreadable(doc: PythonDocument, path: string | undefined): Diagnostic | null {
  if (!doc.mayBeUnreadable) return null;
  const text = doc.text;
  let bytes: Uint8Array = Buffer.from(text, 'utf8');
  if (text.includes('\uFFFD') && path) {
    try {
      bytes = readFileSync(path);
    } catch {
      /* not on disk (yet): the text is all there is */
    }
  }
  const p = checkSourceBytes(bytes);
  if (!p) return null;
  const at = { line: p.line - 1, character: Math.max(0, p.column - 1) };
  return { range: { start: at, end: at }, severity: DiagnosticSeverity.Error, source: SOURCE, message: `SyntaxError: ${p.message}` };
}

/** One information message instead of checking a file too large to check on each keystroke. */
function oversizedNotice(bytes: number): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: SOURCE,
    message: `Capsule does not check this file: it is ${(bytes / 1024 / 1024).toFixed(1)} MB, over the ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB it checks as you type; its tasks get no lenses or diagnostics here (capsule run still checks them)`,
  };
}
