// A small LSP client for tests: starts the real bundled server (dist/server.js) over
// stdio and speaks JSON-RPC to it. Waits poll with deadlines; nothing sleeps blindly.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, ServerCapabilities } from 'vscode-languageserver-protocol';
import { poll } from '../poll';

export const FIXTURE = join(__dirname, '..', 'fixtures', 'lsp', 'project');
export const uriOf = (path: string): string => pathToFileURL(path).href;

export interface TestServer {
  rpc: MessageConnection;
  proc: ChildProcess;
  stderr: () => string;
  /** Latest diagnostics per URI, with the document version they were computed for. */
  diagnostics: Map<string, { version?: number; diagnostics: Diagnostic[] }>;
  notifications: Array<{ method: string; params: unknown }>;
  lensRefreshes: number;
  /** workspace/diagnostic/refresh requests received (a client that pulls diagnostics). */
  diagnosticRefreshes: number;
  /** What the server registered dynamically (client/registerCapability), in order. */
  registrations: Array<{ id: string; method: string; registerOptions?: Record<string, unknown> }>;
  /** What the server answered to initialize. */
  capabilities?: ServerCapabilities;
  open(uri: string, text: string, version?: number): Promise<void>;
  change(uri: string, version: number, changes: unknown[]): Promise<void>;
  waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  diagnosticsFor(uri: string, version: number): Promise<Diagnostic[]>;
  stop(): Promise<void>;
}

/**
 * `settings`, when given, answers workspace/configuration (e.g. { 'files.exclude': {...} }).
 * `pull`: the client says it pulls diagnostics (textDocument/diagnostic), as VS Code does;
 * `dynamic`: and that it takes pull providers registered dynamically, as VS Code's does;
 * `configDelayMs`: workspace/configuration is answered that late (a busy client);
 * `related`: the client shows diagnostics' related information, as VS Code does.
 */
export async function startServer(workspace = FIXTURE, initializationOptions: unknown = {}, settings?: Record<string, unknown>, { pull = false, dynamic = false, configDelayMs = 0, related = false } = {}): Promise<TestServer> {
  const proc = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const rpc = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const s: TestServer = {
    rpc,
    proc,
    stderr: () => err,
    diagnostics: new Map(),
    notifications: [],
    lensRefreshes: 0,
    diagnosticRefreshes: 0,
    registrations: [],
    async open(uri, text, version = 1) {
      await rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: uri.endsWith('.toml') ? 'toml' : 'python', version, text } });
    },
    async change(uri, version, changes) {
      await rpc.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    },
    waitFor(what, probe, timeoutMs = 30_000) {
      return poll(() => `${what}; server stderr: ${err}`, probe, timeoutMs, 10) as never;
    },
    async diagnosticsFor(uri, version) {
      return s.waitFor(`diagnostics of ${uri} v${version}`, () => {
        const d = s.diagnostics.get(uri);
        return d && d.version === version ? d.diagnostics : undefined;
      });
    },
    async stop() {
      await rpc.sendRequest('shutdown').catch(() => undefined);
      await rpc.sendNotification('exit').catch(() => undefined);
      await s.waitFor('server exit', () => proc.exitCode !== null || proc.signalCode !== null, 5000).catch(() => proc.kill());
      rpc.dispose();
    },
  };
  rpc.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
    s.diagnostics.set(p.uri, { ...(p.version !== undefined ? { version: p.version } : {}), diagnostics: p.diagnostics });
  });
  rpc.onNotification((method: string, params: unknown) => {
    s.notifications.push({ method, params });
  });
  rpc.onRequest('workspace/codeLens/refresh', () => {
    s.lensRefreshes++;
    return null;
  });
  rpc.onRequest('workspace/diagnostic/refresh', () => {
    s.diagnosticRefreshes++;
    return null;
  });
  rpc.onRequest('client/registerCapability', (p: { registrations: TestServer['registrations'] }) => {
    s.registrations.push(...p.registrations);
    return null;
  });
  rpc.onRequest('workspace/configuration', async (p: { items: Array<{ section?: string }> }) => {
    if (configDelayMs > 0) await new Promise((r) => setTimeout(r, configDelayMs));
    return p.items.map((i) => settings?.[i.section ?? ''] ?? null);
  });
  rpc.listen();
  const init = await rpc.sendRequest<{ capabilities: ServerCapabilities }>('initialize', {
    processId: process.pid,
    rootUri: uriOf(workspace),
    workspaceFolders: [{ uri: uriOf(workspace), name: 'ws' }],
    capabilities: {
      workspace: { codeLens: { refreshSupport: true }, configuration: settings !== undefined, ...(pull ? { diagnostics: { refreshSupport: true } } : {}) },
      textDocument: { publishDiagnostics: { versionSupport: true, ...(related ? { relatedInformation: true } : {}) }, ...(pull ? { diagnostic: { dynamicRegistration: dynamic, relatedDocumentSupport: false } } : {}) },
    },
    initializationOptions,
  });
  s.capabilities = init.capabilities;
  await rpc.sendNotification('initialized', {});
  return s;
}
