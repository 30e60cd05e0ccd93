// The Capsule language server, shaped like bash-language-server's: a static async
// `initialize`, `capabilities()`, and `register(connection)`, which binds each LSP
// handler to a small feature module.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { basename, dirname, join } from 'node:path';
import {
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticRequest,
  FileChangeType,
  RegistrationRequest,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type CompletionItem,
  type Connection,
  type DocumentSymbol,
  type Hover,
  type InitializeParams,
  type ServerCapabilities,
  type TextDocumentPositionParams,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initParser, type Parser } from '../../runtime/src/discovery/parser';
import type { DiscoverOptions } from '../../runtime/src/discovery/index';
import { CAPSULE_TOML } from '../../runtime/src/config/toml';
import { quickFixes } from './code-actions';
import { completionsAt } from './completion';
import { tomlDiagnostics, withRelated } from './diagnostics';
import { GROUP_IDS } from './diagnostic-groups';
import { DocumentDiagnostics } from './document-diagnostics';
import { DocumentStore, type PythonDocument } from './documents';
import { DOTENV, dotEnvDiagnostics, dotEnvNames, isDotEnv, readDotEnv } from './dotenv-diagnostics';
import { knownValues } from './known-values';
import { hoverAt } from './hover';
import { excludeMatcher, type ExcludeMatcher } from './files-exclude';
import { LensDocs, resolveLens, resultKey, taskLenses, unresolvedLenses, type ResultStore } from './lenses';
import { Projects } from './project';
import { byUri, diffTasks, type TaskListChanges, type TasksByUri } from './task-list-changes';
import { collectAfterClose, COLLECT_FROM_CHARS } from './collect-after-close';
import { ListTaskChangesRequest, ListTasksRequest, RunResultNotification, ServerStatusNotification, TasksChangedNotification, type RunResultParams, type ServerStatusParams, type TaskInfo } from './protocol';
import { taskSymbols } from './symbols';
import { DEFAULT_LIMITS, WorkspaceIndex } from './workspace-index';

/** What the client may pass as initializationOptions. */
export interface ServerOptions {
  index?: { maxFiles?: number; maxFileBytes?: number; exclude?: string[] };
  /** "resolve": one lens per task, without commands; codeLens/resolve gives them (lenses.ts). */
  lenses?: 'resolve';
}

export class CapsuleServer {
  private readonly docs: DocumentStore;
  /** An open document's text (the task list reads a file's parameters from it). */
  private readonly openText = (uri: string): string | undefined => this.docs.get(uri)?.text;
  private readonly projects: Projects;
  private readonly index: WorkspaceIndex;
  private readonly results: ResultStore = new Map();
  private readonly tomlDocs = new Map<string, TextDocument>();
  private readonly envDocs = new Map<string, TextDocument>();
  private readonly diagnostics: DocumentDiagnostics;
  /** The task list last sent by capsule/listTaskChanges, and its version. */
  private listed: { version: string; tasks: TasksByUri } | undefined;
  private listVersion = 0;
  /** Set when the client asked for lenses resolved on demand (ServerOptions.lenses). */
  private readonly lazyLenses: LensDocs | undefined;
  private exclude: ExcludeMatcher;
  /** Settles once the client's files.exclude is known: the index is not walked before. */
  private readonly configured: Promise<void>;
  private markConfigured!: () => void;

  private constructor(
    private readonly connection: Connection,
    parser: Parser,
    private readonly params: InitializeParams,
    roots: string[],
    options: ServerOptions,
  ) {
    this.docs = new DocumentStore(parser);
    this.projects = new Projects(roots);
    this.exclude = excludeMatcher(options.index?.exclude);
    this.lazyLenses = options.lenses === 'resolve' ? new LensDocs() : undefined;
    this.configured = new Promise((resolve) => (this.markConfigured = resolve));
    const limits = { ...DEFAULT_LIMITS, ...options.index };
    this.index = new WorkspaceIndex(parser, this.projects, roots, limits, (rel, isDir, hasSibling) => this.exclude(rel, isDir, hasSibling));
    const caps = params.capabilities;
    const related = caps.textDocument?.publishDiagnostics?.relatedInformation === true || caps.textDocument?.diagnostic?.relatedInformation === true;
    this.diagnostics = new DocumentDiagnostics(connection, {
      tasks: (doc) => this.tasksOf(doc),
      duplicates: (doc) => withRelated(this.index.duplicates(fsPath(doc.uri)!), related ? doc.uri : undefined),
      path: fsPath,
      current: (uri) => this.docs.get(uri),
      compilesChanged: () => this.refreshLenses(),
    }, caps.textDocument?.diagnostic ? { refresh: caps.workspace?.diagnostics?.refreshSupport === true, groups: caps.textDocument.diagnostic.dynamicRegistration === true } : null);
  }

  static async initialize(connection: Connection, params: InitializeParams): Promise<CapsuleServer> {
    const parser = await initParser();
    const roots = (params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []))
      .map(fsPath)
      .filter((p): p is string => p !== undefined);
    return new CapsuleServer(connection, parser, params, roots, (params.initializationOptions ?? {}) as ServerOptions);
  }

  capabilities(): ServerCapabilities {
    return {
      textDocumentSync: { openClose: true, change: 2 /* incremental */ },
      codeLensProvider: { resolveProvider: this.lazyLenses !== undefined },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['(', ',', '=', '"', "'", ' '] },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      documentSymbolProvider: true,
      // Python documents' diagnostics are pulled when the client can (in groups, registered
      // once initialized, when it registers providers dynamically); capsule.toml and .env ones are pushed.
      ...(this.diagnostics.pull && !this.diagnostics.pull.groups ? { diagnosticProvider: PULL_OPTIONS } : {}),
    };
  }

  register(connection: Connection): void {
    connection.onDidOpenTextDocument(({ textDocument: d }) => {
      if (isToml(d.uri)) return this.tomlChanged(TextDocument.create(d.uri, 'toml', d.version, d.text));
      if (isDotEnv(fsPath(d.uri))) return this.dotEnvChanged(TextDocument.create(d.uri, 'dotenv', d.version, d.text));
      if (!isPython(d.uri, d.languageId)) return;
      this.refresh(this.docs.open(d.uri, d.text, d.version));
    });
    connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
      const toml = this.tomlDocs.get(textDocument.uri);
      if (toml) return this.tomlChanged(TextDocument.update(toml, contentChanges, textDocument.version));
      const env = this.envDocs.get(textDocument.uri);
      if (env) return this.dotEnvChanged(TextDocument.update(env, contentChanges, textDocument.version));
      const doc = this.docs.get(textDocument.uri);
      if (!doc) return;
      doc.applyChanges(contentChanges, textDocument.version);
      this.refresh(doc);
    });
    connection.onDidCloseTextDocument(({ textDocument }) => {
      if (isToml(textDocument.uri)) {
        this.tomlDocs.delete(textDocument.uri);
        this.projects.setText(fsPath(textDocument.uri)!, undefined);
        void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
        this.republishAll();
        this.reindex();
        return;
      }
      if (this.envDocs.delete(textDocument.uri)) {
        // Closed: what is on disk is what the runtime reads.
        const text = readDotEnv(fsPath(textDocument.uri)!);
        void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: text === undefined ? [] : dotEnvDiagnostics(text) });
        return;
      }
      const closing = this.docs.get(textDocument.uri);
      if (!closing) return;
      const large = closing.text.length >= COLLECT_FROM_CHARS;
      this.docs.close(textDocument.uri);
      if (large) collectAfterClose();
      this.diagnostics.closed(textDocument.uri);
      const path = fsPath(textDocument.uri);
      if (path) void this.index.refreshFile(path).then(() => this.tasksChanged());
    });
    // After `shutdown`, requests never reach these: shutdown-gate.ts refuses them.
    connection.onCodeLens(({ textDocument }) => this.lenses(textDocument.uri));
    connection.onCodeLensResolve((lens) => resolveLens(lens, (n, name, line) => this.lensTask(n, name, line), this.results));
    connection.onHover((p) => this.hover(p));
    connection.onCompletion((p) => this.complete(p));
    connection.onCodeAction((p) => this.codeActions(p));
    connection.onDocumentSymbol(({ textDocument }) => this.symbols(textDocument.uri));
    connection.languages.diagnostics.on(({ textDocument, previousResultId, identifier }) => this.diagnostics.report(textDocument.uri, previousResultId, identifier));
    connection.onNotification(RunResultNotification, (r: RunResultParams) => {
      this.results.set(resultKey(r.uri, r.taskName), r);
      this.refreshLenses();
    });
    connection.onRequest(ListTasksRequest, () => this.listTasks());
    connection.onRequest(ListTaskChangesRequest, async ({ since }: { since?: string }): Promise<TaskListChanges> => {
      const now = byUri(await this.listTasks());
      const last = this.listed;
      this.listed = { version: `${LIST_SESSION}-${++this.listVersion}`, tasks: now };
      if (last && since === last.version) return { version: this.listed.version, full: false, splices: diffTasks(last.tasks, now) };
      return { version: this.listed.version, full: true, splices: diffTasks(new Map(), now) };
    });
    connection.onDidChangeWatchedFiles(async ({ changes }) => {
      let tomlChanged = false;
      for (const c of changes) {
        const path = fsPath(c.uri);
        if (!path) continue;
        if (basename(path) === CAPSULE_TOML) {
          this.projects.invalidate(path);
          tomlChanged = true;
        } else if (isDotEnv(path)) {
          if (!this.envDocs.has(c.uri)) {
            const text = c.type === FileChangeType.Deleted ? undefined : readDotEnv(path);
            void connection.sendDiagnostics({ uri: c.uri, diagnostics: text === undefined ? [] : dotEnvDiagnostics(text) });
          }
        } else if (path.endsWith('.py') && !this.docs.get(c.uri)) {
          if (c.type === FileChangeType.Deleted) this.index.removeFile(path);
          else await this.index.refreshFile(path);
        }
      }
      for (const doc of this.docs.all()) doc.invalidate(); // allowed_files checks read the disk
      this.republishAll();
      if (tomlChanged) this.reindex();
      else this.tasksChanged();
    });
    connection.onInitialized(() => void this.started());
    connection.onShutdown(() => {
      this.diagnostics.stop();
      this.docs.dispose();
    });
  }

  private async started(): Promise<void> {
    if (this.diagnostics.pull?.groups) {
      // One provider per group; the client pulls each on open and after every change.
      const registrations = GROUP_IDS.map((identifier) => ({ id: identifier, method: DocumentDiagnosticRequest.method, registerOptions: { ...PULL_OPTIONS, identifier } }));
      void this.connection.sendRequest(RegistrationRequest.method, { registrations }).catch((e: unknown) => this.connection.console.error(`capsule: the diagnostic providers could not be registered: ${String(e)}`));
    }
    try {
      await this.watchAndConfigure();
    } catch (e) {
      this.connection.console.warn(`capsule: client setup failed, indexing without it: ${String(e)}`);
    } finally {
      this.markConfigured();
    }
    try {
      await this.index.ensure();
      this.republishAll();
      this.tasksChanged();
      this.indexStatus();
    } catch (e) {
      this.status({ health: 'error', message: `indexing failed: ${String(e)}`, indexedFiles: this.index.size });
    }
  }

  /** File watchers (when the client can register them) and VS Code's files.exclude. */
  private async watchAndConfigure(): Promise<void> {
    const caps = this.params.capabilities;
    if (caps.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.py' }, { globPattern: `**/${CAPSULE_TOML}` }, { globPattern: `**/${DOTENV}` }] });
    }
    if (caps.workspace?.configuration) {
      const [filesExclude] = (await this.connection.workspace.getConfiguration([{ section: 'files.exclude' }])) as [unknown];
      const own = excludeMatcher(((this.params.initializationOptions ?? {}) as ServerOptions).index?.exclude);
      const vscode = excludeMatcher(filesExclude && typeof filesExclude === 'object' ? (filesExclude as Record<string, unknown>) : undefined);
      this.exclude = (rel, isDir, hasSibling) => own(rel, isDir, hasSibling) || vscode(rel, isDir, hasSibling);
    }
  }

  private pathOf(uri: string): string {
    return fsPath(uri) ?? uri;
  }

  private tasksOf(doc: PythonDocument) {
    // An untitled buffer (or a URI that names no local file) belongs to no project: no capsule.toml, no file checks.
    const path = fsPath(doc.uri);
    return doc.tasks(path ? this.projects.options(path) : NO_PROJECT);
  }

  /** Re-derives a document's tasks and publishes its diagnostics. */
  private refresh(doc: PythonDocument): void {
    const tasks = this.tasksOf(doc);
    const path = fsPath(doc.uri);
    if (!path) return this.diagnostics.changed(doc);
    const { viewChanged } = this.index.setFile(path, doc.uri, tasks, doc.change, doc.linesMoved);
    this.diagnostics.changed(doc);
    if (viewChanged) this.tasksChanged();
  }

  private republishAll(): void {
    for (const doc of this.docs.all()) {
      const path = fsPath(doc.uri);
      if (path) this.index.setFile(path, doc.uri, this.tasksOf(doc));
    }
    this.diagnostics.changedAll(this.docs.all());
    this.refreshLenses();
  }

  /** capsule.toml opened or edited: its problems, then every open file's config, change. */
  private tomlChanged(doc: TextDocument): void {
    this.tomlDocs.set(doc.uri, doc);
    const path = fsPath(doc.uri)!;
    this.projects.setText(path, doc.getText());
    const cfg = this.projects.config(dirname(path));
    void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: tomlDiagnostics(cfg.problems) });
    this.republishAll();
    this.reindex();
  }

  /** The project's .env as the editor has it (open) or as it is on disk. */
  private dotEnvText(file: string): string | undefined {
    const env = join(this.projects.rootFor(file), DOTENV);
    return this.envDocs.get(pathToFileURL(env).href)?.getText() ?? readDotEnv(env);
  }

  /** A .env opened or edited: the lines the runtime would skip, with its messages. */
  private dotEnvChanged(doc: TextDocument): void {
    this.envDocs.set(doc.uri, doc);
    void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: dotEnvDiagnostics(doc.getText()) });
  }

  /** Defaults changed: files on disk are rediscovered with them (coalesced), then the views refresh. */
  private reindex(): void {
    void this.index.rebuild().then(() => {
      this.republishAll();
      this.tasksChanged();
      this.indexStatus();
    }, (e: unknown) => this.status({ health: 'error', message: `indexing failed: ${String(e)}`, indexedFiles: this.index.size }));
  }

  private refreshLenses(): void {
    if (this.params.capabilities.workspace?.codeLens?.refreshSupport) void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  private async listTasks(): Promise<TaskInfo[]> {
    await this.configured; // a request right after `initialized` would walk without files.exclude
    await this.index.ensure();
    return this.index.list(this.openText);
  }

  private lenses(uri: string): CodeLens[] {
    const doc = this.docs.get(uri);
    if (!doc) return [];
    const tasks = this.tasksOf(doc);
    if (!this.diagnostics.compiles(doc)) return [];
    return this.lazyLenses ? unresolvedLenses(this.lazyLenses.numberOf(uri), tasks) : taskLenses(uri, this.pathOf(uri), tasks, this.results);
  }

  /** The task an unresolved lens names: by name, the one whose decorator is on the lens's line if names repeat. */
  private lensTask(n: number, name: string, line: number) {
    const uri = this.lazyLenses?.uriOf(n);
    const doc = uri ? this.docs.get(uri) : undefined;
    if (!uri || !doc) return undefined;
    const named = this.tasksOf(doc).filter((t) => t.name === name && !t.unreachable);
    const task = named.find((t) => t.decoratorSpan.start.line === line) ?? named[0];
    return task ? { uri, file: this.pathOf(uri), task } : undefined;
  }

  private hover({ textDocument, position }: TextDocumentPositionParams): Hover | null {
    const doc = this.docs.get(textDocument.uri);
    if (!doc) return null;
    const path = fsPath(textDocument.uri);
    const root = path ? this.projects.rootFor(path) : undefined;
    const cfg = root ? this.projects.config(root) : { defaults: {}, path: undefined, workflow: undefined };
    let names: Set<string> | undefined; // read once, on the first env_variables entry asked about
    const inDotEnv = (name: string) => (names ??= dotEnvNames(path ? this.dotEnvText(path) : undefined)).has(name);
    return hoverAt(this.tasksOf(doc), doc.textDocument.offsetAt(position), { defaults: cfg.defaults, tomlPath: cfg.path, workflowDurable: cfg.workflow?.durable ?? false, projectRoot: root, inDotEnv });
  }

  private complete({ textDocument, position }: TextDocumentPositionParams): CompletionItem[] {
    const doc = this.docs.get(textDocument.uri);
    if (!doc) return [];
    const path = fsPath(textDocument.uri);
    const offset = doc.textDocument.offsetAt(position);
    const editing = this.tasksOf(doc).find((t) => t.decoratorSpan.startIndex <= offset && offset <= t.decoratorSpan.endIndex);
    const known = (param: 'allowed_hosts' | 'env_variables') => knownValues(param, path ? this.dotEnvText(path) : undefined, this.index.list(this.openText), editing && { uri: textDocument.uri, line: editing.nameSpan.start.line });
    return completionsAt(doc.text, offset, (o) => doc.textDocument.positionAt(o), known) ?? [];
  }

  private codeActions({ textDocument, context }: CodeActionParams): CodeAction[] {
    return quickFixes(textDocument.uri, context.diagnostics);
  }

  private symbols(uri: string): DocumentSymbol[] {
    const doc = this.docs.get(uri);
    return doc ? taskSymbols(this.tasksOf(doc)) : [];
  }

  // Method names, not the typed objects: the client and the server resolve different
  // copies of vscode-languageserver-protocol, whose classes do not type-check across.
  private indexStatus(): void {
    const capped = this.index.capped ? `the index stopped at its cap of ${this.index.size} files` : undefined;
    this.status({ health: capped ? 'warning' : 'ok', indexedFiles: this.index.size, ...(capped ? { message: capped } : {}) });
  }

  private status(p: ServerStatusParams): void {
    void this.connection.sendNotification(ServerStatusNotification, p);
  }

  private tasksChanged(): void {
    void this.connection.sendNotification(TasksChangedNotification, {});
  }
}

const NO_PROJECT: DiscoverOptions = {};
/** Makes list versions differ between server processes (a restarted server must not take an old version for its own). */
const LIST_SESSION = `${process.pid}.${Date.now().toString(36)}`;
const PULL_OPTIONS = { documentSelector: [{ language: 'python' }], interFileDependencies: false, workspaceDiagnostics: false };

function isToml(uri: string): boolean {
  return uri.endsWith(`/${CAPSULE_TOML}`) && fsPath(uri) !== undefined;
}

/** The local path a file: URI names; undefined for other schemes, remote hosts and bad escapes. */
function fsPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function isPython(uri: string, languageId: string): boolean {
  return languageId === 'python' || uri.endsWith('.py');
}
