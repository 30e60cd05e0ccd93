// One run's own output as a read-only document (`capsule-run:` scheme): its stdout and
// stderr and those of its sub-tasks, from the trace, so concurrent runs never interleave
// and an old run's output survives a reload. "Show Output" on a run opens it.
import * as vscode from 'vscode';
import { absoluteFile } from './paths';
import { formatCall } from './runs/signature';
import type { RunInfo } from './runs/model';
import type { Services } from './services';
import { outcomeText } from './runs/outcome';

export const RUN_OUTPUT_SCHEME = 'capsule-run';

export class RunOutputDocs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly s: Services) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(RUN_OUTPUT_SCHEME, this);
  }

  uriFor(run: RunInfo): vscode.Uri {
    return vscode.Uri.from({ scheme: RUN_OUTPUT_SCHEME, path: `/${run.taskName}-${run.id.slice(0, 8)}.log`, query: run.id });
  }

  async open(run: RunInfo): Promise<void> {
    const uri = this.uriFor(run);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const root = this.s.store.get(uri.query);
    if (!root) return 'This run is no longer in the history.\n';
    const engine = await this.s.engines.engineFor(absoluteFile(root.file)).catch(() => undefined);
    const lines: string[] = [];
    const visit = async (run: RunInfo, depth: number) => {
      const pad = '  '.repeat(depth);
      lines.push(`${pad}── ${formatCall(run.taskName, run.args)} · ${outcomeText(run)}`);
      const out = await engine?.output(run.id).catch(() => undefined);
      for (const c of out?.chunks ?? []) {
        for (const l of c.text.replace(/\n$/, '').split('\n')) lines.push(`${pad}${c.stream === 'stderr' ? '! ' : '| '}${l}`);
      }
      if (out && out.droppedBytes > 0) lines.push(`${pad}… ${out.droppedBytes} more bytes were not kept (the trace keeps ${out.capBytes} per run)`);
      for (const c of this.s.store.childRuns(run.id)) await visit(c, depth + 1);
    };
    await visit(root, 0);
    return `${lines.join('\n')}\n`;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
