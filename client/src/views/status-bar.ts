// One status bar item: running tasks, and the language server's health.
import * as vscode from 'vscode';
import type { ServerStatusParams } from '../../../server/src/protocol';
import type { ServerState } from '../ctx';
import { Commands, Views } from '../ids';
import { OUTCOMES, type OutcomeKind } from '../runs/outcome';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('capsule.status', vscode.StatusBarAlignment.Left, 10);
  private running = 0;
  private server: ServerState = 'stopped';
  private status: ServerStatusParams | undefined;
  private last: { taskName: string; kind: OutcomeKind; text: string } | undefined;

  constructor() {
    this.item.name = 'Capsule';
    this.render();
    this.item.show();
  }

  /** How the latest run ended: shown until the next one ends. */
  setLast(taskName: string, kind: OutcomeKind, text: string): void { this.last = { taskName, kind, text }; this.render(); }

  setRunning(n: number): void { if (n !== this.running) { this.running = n; this.render(); } }
  setServer(state: ServerState, status?: ServerStatusParams): void { this.server = state; this.status = status ?? this.status; this.render(); }

  private render(): void {
    const down = this.server === 'crashed' || this.server === 'stopped';
    const health = this.status?.health ?? 'ok';
    const icon = this.running > 0 ? '$(sync~spin)' : down ? '$(debug-disconnect)' : health === 'ok' ? '$(package)' : '$(warning)';
    const last = this.last ? ` $(${OUTCOMES[this.last.kind].icon.replace('~spin', '')}) ${this.last.taskName}` : '';
    this.item.text = this.running > 0 ? `${icon} Capsule: ${this.running} running` : `${icon} Capsule${last}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [Commands.showOutput, Commands.restartServer, Commands.showServerLog, Commands.cancelAll] };
    md.appendMarkdown(`**Capsule** — ${this.running} task${this.running === 1 ? '' : 's'} running\n\n`);
    if (this.last) md.appendMarkdown(`Last run: ${this.last.taskName} — ${this.last.text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&')}\n\n`);
    md.appendMarkdown(`Language server: ${this.server}${this.status ? ` (${this.status.health}, ${this.status.indexedFiles} files indexed)` : ''}${this.status?.message ? `: ${this.status.message}` : ''}\n\n`);
    md.appendMarkdown(`[Show Output](command:${Commands.showOutput}) · [Server Log](command:${Commands.showServerLog}) · [Restart Server](command:${Commands.restartServer})`);
    if (this.running > 0) md.appendMarkdown(` · [Cancel All](command:${Commands.cancelAll})`);
    this.item.tooltip = md;
    this.item.command = this.running > 0 ? `workbench.view.extension.${Views.container}` : Commands.showOutput;
    this.item.backgroundColor = down && this.server === 'crashed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : health === 'error' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void { this.item.dispose(); }
}
