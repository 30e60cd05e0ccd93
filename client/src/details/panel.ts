// The run details panel: one webview, reused, showing one run at a time (renderDetails).
// It re-renders while the run changes. Messages from the page are checked with zod
// before anything acts on them: the page shows hostile text, so treat it as hostile too.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { absoluteFile } from '../paths';
import { Commands } from '../ids';
import type { RunInfo } from '../runs/model';
import type { Services } from '../services';
import { prettyJson, renderDetails } from './html';

const Message = z.object({
  action: z.enum(['openRun', 'openFrame', 'openSource', 'copyResult', 'openResult', 'rerun', 'cancel']),
  id: z.optional(z.string().check(z.maxLength(200))),
  file: z.optional(z.string().check(z.maxLength(4096))),
  line: z.optional(z.int().check(z.minimum(0))),
});

export class DetailsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private runId: string | undefined;
  private pending: NodeJS.Timeout | undefined;
  private readonly subs: vscode.Disposable[] = [];
  /** Renders done (the e2e suite and tests read it). */
  renders = 0;

  constructor(private readonly s: Services) {
    this.subs.push({ dispose: s.store.onChange((changed) => {
      if (!this.panel || !this.runId) return;
      // Only changes to this run's own tree re-render (a re-render resets the page's scroll).
      const run = s.store.get(this.runId);
      if (!run || [...changed].some((id) => id !== '' && s.store.get(id)?.runId === run.runId)) this.schedule();
    }).dispose });
  }

  get shownRunId(): string | undefined { return this.panel ? this.runId : undefined; }

  async show(runId: string): Promise<void> {
    this.runId = runId;
    if (!this.panel) {
      const root = this.s.ctx.extension.extensionUri;
      this.panel = vscode.window.createWebviewPanel('capsule.runDetails', 'Capsule Run', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: true,
        enableFindWidget: true,
        retainContextWhenHidden: false,
        localResourceRoots: [vscode.Uri.joinPath(root, 'dist')],
      });
      this.panel.onDidDispose(() => { this.panel = undefined; }, undefined, this.subs);
      this.panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m), undefined, this.subs);
    } else {
      this.panel.reveal(undefined, false);
    }
    await this.render();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = undefined; void this.render(); }, 250);
  }

  private async render(): Promise<void> {
    const panel = this.panel;
    const run = this.runId ? this.s.store.get(this.runId) : undefined;
    if (!panel) return;
    if (!run) {
      panel.webview.html = '<!DOCTYPE html><html><body><p>This run is no longer in the history.</p></body></html>';
      return;
    }
    const abs = absoluteFile(run.file);
    const task = this.s.tasksView.all.find((t) => t.taskName === run.taskName && vscode.Uri.parse(t.uri).fsPath === abs);
    const engine = await this.s.engines.engineFor(abs).catch(() => undefined);
    const output = await engine?.output(run.id).catch(() => undefined);
    // A live sub-task's result is only in the trace (the runner sees its root's).
    if (run.resultJson === undefined && run.state === 'completed' && engine) {
      const records = await engine.history({ limit: 50 }).catch(() => []);
      const rec = records.flatMap((r) => [r, ...r.children]).find((r) => r.id === run.id);
      if (rec?.resultJson) run.resultJson = rec.resultJson;
    }
    const limits = run.limits ?? (task?.config ? { fuel: task.config.fuel, memoryLimitBytes: task.config.memoryLimitBytes, timeoutMs: task.config.timeoutMs, maxRetries: task.config.maxRetries } : undefined);
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(this.s.ctx.extension.extensionUri, 'dist');
    panel.title = `Run: ${run.taskName}`;
    webview.html = renderDetails(
      { run, get: (id) => this.s.store.get(id), line: task?.line, output, limits },
      {
        nonce: randomBytes(16).toString('base64'),
        cspSource: webview.cspSource,
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'details.js')).toString(),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'details-style.css')).toString(),
      },
    );
    this.renders++;
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = Message.safeParse(raw);
    if (!parsed.success) return; // not from our script: ignore
    const m = parsed.data;
    const run: RunInfo | undefined = this.runId ? this.s.store.get(this.runId) : undefined;
    switch (m.action) {
      case 'openRun':
        if (m.id && this.s.store.get(m.id)) await this.show(m.id);
        return;
      case 'openFrame':
        if (m.file !== undefined && m.line !== undefined && run) await openFrame(m.file, m.line, run);
        return;
      case 'openSource':
        if (run) await vscode.commands.executeCommand(Commands.goToSource, { kind: 'run', run });
        return;
      case 'copyResult':
        if (run?.resultJson !== undefined) {
          await vscode.env.clipboard.writeText(prettyJson(run.resultJson));
          void vscode.window.setStatusBarMessage('Capsule: result copied', 2000);
        }
        return;
      case 'openResult':
        if (run?.resultJson !== undefined) {
          const doc = await vscode.workspace.openTextDocument({ language: 'json', content: prettyJson(run.resultJson) });
          await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside });
        }
        return;
      case 'rerun':
        if (run) await vscode.commands.executeCommand(Commands.rerunRun, { kind: 'run', run });
        return;
      case 'cancel':
        if (run) await vscode.commands.executeCommand(Commands.cancelRun, { kind: 'run', run });
        return;
    }
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.panel?.dispose();
    for (const d of this.subs.splice(0)) d.dispose();
  }
}

/** Opens a frame's file at its line: project-relative files resolve against the run's project. */
export async function openFrame(file: string, line: number, run: RunInfo): Promise<void> {
  const runFile = absoluteFile(run.file);
  const root = runFile.endsWith(run.file) ? runFile.slice(0, runFile.length - run.file.length) : undefined;
  const path = file.startsWith('/') ? file : root ? vscode.Uri.joinPath(vscode.Uri.file(root), file).fsPath : absoluteFile(file);
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
    const pos = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
  } catch (err) {
    void vscode.window.showErrorMessage(`Capsule: cannot open ${file}:${line}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
