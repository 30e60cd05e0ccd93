// Tasks in the Testing view: one test item per @task (from the server's index), run
// through the same engine as the lens. A task "passes" when it completes.
import * as vscode from 'vscode';
import type { TaskInfo } from '../../../server/src/protocol';
import { formatMetrics } from '../runs/format';
import type { Runner } from '../runs/runner';

export class TaskTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('capsule', 'Capsule tasks');
  private readonly byId = new Map<string, TaskInfo>();

  constructor(private readonly runner: Runner, private readonly afterStart: (instanceId: string) => void) {
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token), true);
  }

  /** Mirrors the index: files as parents, tasks as children. */
  update(tasks: readonly TaskInfo[]): void {
    this.byId.clear();
    const files = new Map<string, vscode.TestItem>();
    for (const t of tasks) {
      const uri = vscode.Uri.parse(t.uri);
      let file = files.get(t.uri);
      if (!file) {
        file = this.controller.createTestItem(t.uri, vscode.workspace.asRelativePath(uri, false), uri);
        files.set(t.uri, file);
      }
      const id = `${t.uri}#${t.taskName}`;
      const item = this.controller.createTestItem(id, t.taskName, uri);
      item.range = new vscode.Range(t.line, 0, t.line, 0);
      file.children.add(item);
      this.byId.set(id, t);
    }
    this.controller.items.replace([...files.values()]);
  }

  private leaves(req: vscode.TestRunRequest): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    const add = (item: vscode.TestItem) => {
      if (req.exclude?.includes(item)) return;
      if (this.byId.has(item.id)) out.push(item);
      else item.children.forEach(add);
    };
    if (req.include) req.include.forEach(add);
    else this.controller.items.forEach(add);
    return out;
  }

  private async run(req: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(req);
    const started: string[] = [];
    const cancel = token.onCancellationRequested(() => { for (const id of started) this.runner.cancel(id); });
    try {
      await Promise.all(this.leaves(req).map(async (item) => {
        const task = this.byId.get(item.id)!;
        run.enqueued(item);
        try {
          const { instanceId, finished } = await this.runner.start({ file: vscode.Uri.parse(task.uri).fsPath, taskName: task.taskName, uri: task.uri });
          started.push(instanceId);
          this.afterStart(instanceId);
          run.started(item);
          const done = await finished;
          const ms = done.envelope.execution.duration_ms;
          if (done.state === 'completed') {
            run.appendOutput(`${task.taskName}: ${JSON.stringify(done.envelope.result)} (${formatMetrics({ durationMs: ms, fuelConsumed: done.envelope.execution.fuel_consumed, ramUsed: done.envelope.execution.ram_used })})\r\n`, undefined, item);
            run.passed(item, ms);
          } else if (done.state === 'interrupted') {
            run.skipped(item);
          } else {
            const e = done.envelope.error;
            const msg = new vscode.TestMessage(e ? `${e.error_type}: ${e.message}` : done.state);
            msg.location = new vscode.Location(vscode.Uri.parse(task.uri), new vscode.Position(task.line, 0));
            run.failed(item, msg, ms);
          }
        } catch (err) {
          run.errored(item, new vscode.TestMessage(err instanceof Error ? err.message : String(err)));
        }
      }));
    } finally {
      cancel.dispose();
      run.end();
    }
  }

  dispose(): void { this.controller.dispose(); }
}
