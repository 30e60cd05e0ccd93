// A failed run's raising line gets a diagnostic (in Problems and as a squiggle) until the
// task runs again or the history is cleared. Frames are project-relative: the run's
// project root maps them to files.
import * as vscode from 'vscode';
import { errorFrom } from '../runs/model';
import { outcomeOf, outcomeText } from '../runs/outcome';
import type { FinishedRun, RunRequest } from '../runs/runner';
import { raisingFrame } from '../runs/traceback';

export class RunDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('capsule-runs');
  /** Diagnostics by task (`uri#name`): which file holds each. */
  private readonly byTask = new Map<string, { uri: vscode.Uri; diagnostic: vscode.Diagnostic }>();

  private key(r: RunRequest): string { return `${r.uri ?? vscode.Uri.file(r.file).toString()}#${r.taskName}`; }

  /** A task starts again: its old diagnostic goes. */
  clearFor(request: RunRequest): void {
    const old = this.byTask.get(this.key(request));
    if (!old) return;
    this.byTask.delete(this.key(request));
    this.render(old.uri);
  }

  report(run: FinishedRun): void {
    this.clearFor(run.request);
    const error = run.envelope.error ? errorFrom(run.envelope.error) : undefined;
    const kind = outcomeOf({ state: run.envelope.state, error });
    const frame = raisingFrame(error?.frames ?? []);
    if (!error || !frame || !run.projectRoot || kind === 'cancelled') return;
    const uri = vscode.Uri.joinPath(vscode.Uri.file(run.projectRoot), frame.file);
    const line = Math.max(0, frame.line - 1);
    const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), `${outcomeText({ state: run.envelope.state, error })} (raised in ${frame.name}, when ${run.request.taskName} ran)`, vscode.DiagnosticSeverity.Error);
    d.source = 'capsule run';
    this.byTask.set(this.key(run.request), { uri, diagnostic: d });
    this.render(uri);
  }

  clearAll(): void {
    this.byTask.clear();
    this.collection.clear();
  }

  private render(uri: vscode.Uri): void {
    this.collection.set(uri, [...this.byTask.values()].filter((x) => x.uri.toString() === uri.toString()).map((x) => x.diagnostic));
  }

  dispose(): void { this.collection.dispose(); }
}
