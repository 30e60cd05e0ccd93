// The language client's life. Two disposal scopes: the extension's (context.subscriptions,
// lives until deactivate) and the client's (listeners bound to one LanguageClient; a
// restart disposes only this one). Restarts are serialised and coalesced; a crashing
// server is restarted with backoff and given up on after a burst, never in a loop.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, State, TransportKind,
  type LanguageClientOptions, type ServerOptions,
} from 'vscode-languageclient/node';
import {
  ListTaskChangesRequest, ListTasksRequest, RunResultNotification, ServerStatusNotification, TasksChangedNotification,
  type RunResultParams, type ServerStatusParams, type TaskInfo,
} from '../../server/src/protocol';
import type { ServerOptions as CapsuleServerOptions } from '../../server/src/capsule-server';
import type { TaskListChanges } from '../../server/src/task-list-changes';
import type { Settings } from './config';
import { Commands, ContextKeys } from './ids';
import { onServerCrash } from './restart-policy';

const STOP_TIMEOUT_MS = 2000;

export type ServerState = 'starting' | 'running' | 'stopped' | 'crashed';

export interface LensPlan {
  provide(doc: vscode.TextDocument, lenses: vscode.CodeLens[]): vscode.CodeLens[];
  resolve(lens: vscode.CodeLens, token: vscode.CancellationToken, next: (lens: vscode.CodeLens, token: vscode.CancellationToken) => vscode.ProviderResult<vscode.CodeLens>): vscode.ProviderResult<vscode.CodeLens>;
}

export class Ctx implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private clientScope: vscode.Disposable[] = [];
  private restarting: Promise<void> | undefined;
  private restartQueued = false;
  private stopping = false;
  private crashes: number[] = [];
  private backoffTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private lastError: string | undefined;
  private readonly counted = new WeakSet<LanguageClient>();
  readonly serverLog: vscode.LogOutputChannel;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly statusEmitter = new vscode.EventEmitter<ServerStatusParams>();
  private readonly tasksEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeServerState = this.stateEmitter.event;
  readonly onDidChangeServerStatus = this.statusEmitter.event;
  readonly onDidChangeTasks = this.tasksEmitter.event;
  serverState: ServerState = 'stopped';
  serverStatus: ServerStatusParams | undefined;
  /** Plans and resolves the server's per-task lenses (set by extension.ts; lenses.ts). */
  lensPlan: LensPlan | undefined;
  /** The version of each document whose lenses VS Code was last given (a request not cancelled). */
  private readonly lensesGiven = new Map<string, number>();
  /** Documents asked to refresh their lenses whose provider has not been called since. */
  private readonly lensesAsked = new Set<string>();
  /** How long the last start took, from spawn to the initialize answer. */
  serverReadyMs: number | undefined;

  constructor(readonly extension: vscode.ExtensionContext, private readonly settings: () => Settings) {
    this.serverLog = vscode.window.createOutputChannel('Capsule Language Server', { log: true });
    extension.subscriptions.push(this, this.serverLog, this.stateEmitter, this.statusEmitter, this.tasksEmitter,
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.lensesGiven.delete(d.uri.toString());
        this.lensesAsked.delete(d.uri.toString());
      }));
  }

  get isRunning(): boolean { return this.client?.state === State.Running; }

  /** The server's process id (shown in the status tooltip; the e2e suite crashes it on purpose). */
  get serverPid(): number | undefined {
    return this.client?.serverProcess?.pid;
  }

  /** Starts the client, or restarts it; a burst of calls gives at most one extra restart. */
  restart(): Promise<void> {
    if (this.restarting) {
      this.restartQueued = true;
      return this.restarting;
    }
    this.restarting = (async () => {
      do {
        this.restartQueued = false;
        await this.stopClient();
        if (this.disposed) return;
        await this.startClient();
      } while (this.restartQueued && !this.disposed);
    })().finally(() => { this.restarting = undefined; });
    return this.restarting;
  }

  async listTasks(): Promise<TaskInfo[]> {
    if (!this.client || !this.isRunning) return [];
    return this.client.sendRequest(ListTasksRequest, {});
  }

  /** The task list as changes since `since` (see server/src/task-list-changes.ts); undefined while the server is down. */
  async listTaskChanges(since: string | undefined): Promise<TaskListChanges | undefined> {
    if (!this.client || !this.isRunning) return undefined;
    return this.client.sendRequest(ListTaskChangesRequest, since === undefined ? {} : { since });
  }

  notifyRunResult(params: RunResultParams): void {
    if (!this.client || !this.isRunning) return;
    this.client.sendNotification(RunResultNotification, params).catch((err) => this.serverLog.warn(`runResult not sent: ${err}`));
  }

  /**
   * Asks VS Code to re-query lenses (a run changed, the lens setting changed). Through every
   * visible editor's provider, not the active editor's: focusing the Output panel makes it the
   * active editor, and its document has no lens provider.
   */
  refreshLenses(): void {
    this.refreshLensesOf(visibleDocuments());
  }

  /**
   * Asks again only where the last ask went unanswered: VS Code drops a scheduled refresh
   * while the editor has no focus. Where the provider answered, another refresh would only
   * drop the commands of the lenses shown under a click (the same race as below).
   */
  refreshUnansweredLenses(): void {
    this.refreshLensesOf(visibleDocuments().filter((d) => this.lensesAsked.has(d.uri.toString())));
  }

  /**
   * Asks again only for visible documents whose lenses VS Code has not been given at their
   * version (showing the Capsule views right after a file opens can drop its lens request,
   * seen in VS Code 1.100). Not for the others: a refresh drops the commands of the lenses
   * shown, and a click landing then fails ("Actual command not found").
   */
  refreshMissingLenses(): void {
    this.refreshLensesOf(visibleDocuments().filter((d) => this.lensesGiven.get(d.uri.toString()) !== d.version));
  }

  private refreshLensesOf(docs: vscode.TextDocument[]): void {
    const feature = this.client?.getFeature('textDocument/codeLens');
    if (!feature) return;
    const providers = new Set<NonNullable<ReturnType<typeof feature.getProvider>>>();
    for (const d of docs) {
      const p = feature.getProvider(d);
      if (!p) continue;
      providers.add(p);
      this.lensesAsked.add(d.uri.toString());
    }
    for (const p of providers) p.onDidChangeCodeLensEmitter.fire();
  }

  private setState(state: ServerState): void {
    this.serverState = state;
    void vscode.commands.executeCommand('setContext', ContextKeys.serverRunning, state === 'running');
    this.stateEmitter.fire(state);
  }

  private async startClient(): Promise<void> {
    const module = this.extension.asAbsolutePath('dist/server.js');
    // stdio, not node IPC: over stdio the server writes a document's diagnostics from the
    // JSON it keeps per diagnostic (diagnostic-json.ts); IPC would JSON.stringify each
    // ~370 KB list of a 10,000-decorator file again on every keystroke (~3 ms).
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio },
      debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    // Owned by this client's scope: a restart makes a new one.
    const watcher = vscode.workspace.createFileSystemWatcher('**/{capsule.toml,*.py,.env}');
    this.clientScope.push(watcher);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'file', pattern: '**/capsule.toml' },
        { scheme: 'file', pattern: '**/.env' },
      ],
      // Settings are read by the client (lens toggle, concurrency); the server reads none.
      synchronize: { fileEvents: watcher },
      outputChannel: this.serverLog,
      // One lens per task without its commands, resolved when shown (server/src/lenses.ts).
      initializationOptions: { lenses: 'resolve' } satisfies CapsuleServerOptions,
      middleware: {
        // The lens toggle is honoured here, so it works whatever the server reads.
        provideCodeLenses: async (doc, token, next) => {
          if (!this.settings().lens.enabled) return [];
          const lenses = (await next(doc, token)) ?? [];
          if (!token.isCancellationRequested) {
            this.lensesGiven.set(doc.uri.toString(), doc.version);
            this.lensesAsked.delete(doc.uri.toString());
          }
          return this.lensPlan ? this.lensPlan.provide(doc, lenses) : lenses;
        },
        resolveCodeLens: (lens, token, next) => (this.lensPlan ? this.lensPlan.resolve(lens, token, next) : next(lens, token)),
      },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => {
          if (!this.stopping && !this.disposed) this.onCrash(client);
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient('capsule', 'Capsule Language Server', serverOptions, clientOptions);
    this.client = client;
    this.clientScope.push(
      client.onDidChangeState((e) => { if (e.newState === State.Running) this.setState('running'); }),
      client.onNotification(ServerStatusNotification, (s) => { this.serverStatus = s; this.statusEmitter.fire(s); }),
      client.onNotification(TasksChangedNotification, () => this.tasksEmitter.fire()),
    );
    this.setState('starting');
    const t0 = performance.now();
    try {
      await client.start();
      this.serverReadyMs = performance.now() - t0;
      this.serverLog.info(`language server ready in ${this.serverReadyMs.toFixed(0)} ms`);
      this.tasksEmitter.fire();
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.serverLog.error(`start failed: ${this.lastError}`);
      if (!this.stopping && !this.disposed) this.onCrash(client);
    }
  }

  private async stopClient(): Promise<void> {
    clearTimeout(this.backoffTimer);
    const client = this.client;
    this.client = undefined;
    for (const d of this.clientScope.splice(0)) d.dispose();
    if (!client) return;
    this.stopping = true;
    try {
      if (client.state !== State.Stopped) await client.stop(STOP_TIMEOUT_MS).catch(() => undefined);
      await client.dispose(STOP_TIMEOUT_MS).catch(() => undefined);
    } finally {
      this.stopping = false;
      this.setState('stopped');
    }
  }

  /** Counts a crash once per client (a failed start may also report a closed connection). */
  private onCrash(client: LanguageClient): void {
    if (this.counted.has(client)) return;
    this.counted.add(client);
    const { recent, decision } = onServerCrash(this.crashes, Date.now());
    this.crashes = recent;
    this.setState('crashed');
    if (decision.action === 'giveUp') {
      this.serverLog.error(`the server crashed ${decision.crashes} times in 3 minutes; not restarting`);
      const why = this.lastError ? ` Last error: ${this.lastError}` : '';
      void vscode.window.showErrorMessage(`Capsule: the language server stopped ${decision.crashes} times in 3 minutes and was not restarted.${why}`, 'Restart', 'Show Log')
        .then((pick) => this.onPick(pick));
      return;
    }
    this.serverLog.warn(`the server stopped unexpectedly; restarting in ${decision.delayMs} ms`);
    clearTimeout(this.backoffTimer);
    this.backoffTimer = setTimeout(() => void this.restart(), decision.delayMs);
  }

  private onPick(pick: string | undefined): void {
    if (pick === 'Restart') { this.crashes = []; void vscode.commands.executeCommand(Commands.restartServer); }
    if (pick === 'Show Log') this.serverLog.show();
  }

  /** Stops the server and waits for it (deactivate awaits this). */
  async shutdown(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.backoffTimer);
    await this.restarting?.catch(() => undefined);
    await this.stopClient();
  }

  dispose(): void {
    void this.shutdown();
  }
}

/** The active editor's document and every visible editor's (the active one may be the Output panel). */
function visibleDocuments(): vscode.TextDocument[] {
  return [vscode.window.activeTextEditor, ...vscode.window.visibleTextEditors].flatMap((e) => (e ? [e.document] : []));
}
