// What happens when a run ends: the server learns the result, the status bar says how it
// ended, the line that raised gets a diagnostic, and a pop-up appears only for a failed run
// the user started here (a lens, the palette, the tree) and is not already looking at —
// never for the Testing view's runs, sub-tasks or cancels; a setting turns pop-ups off.
import * as vscode from 'vscode';
import { Commands } from './ids';
import { outcomeOf, outcomeText, OUTCOMES } from './runs/outcome';
import { errorFrom } from './runs/model';
import type { FinishedRun, RunRequest } from './runs/runner';
import type { Services } from './services';

export function reportFinished(s: Services, run: FinishedRun, shownRunId: () => string | undefined): void {
  const { envelope: env, request } = run;
  const { state } = env;
  s.ctx.notifyRunResult({
    uri: request.uri ?? vscode.Uri.file(request.file).toString(),
    taskName: request.taskName,
    state,
    durationMs: env.execution.duration_ms,
    fuelConsumed: env.execution.fuel_consumed,
    peakMemoryBytes: env.execution.ram_used,
    ...(env.error ? { errorType: env.error.error_type, message: env.error.message } : {}),
  });
  const error = env.error ? errorFrom(env.error) : undefined;
  const kind = outcomeOf({ state, error });
  s.status.setLast(request.taskName, kind, outcomeText({ state, error }));
  s.runDiagnostics.report(run);
  if (!OUTCOMES[kind].failure) return;
  const mine = request.origin === 'lens' || request.origin === 'palette' || request.origin === 'tree' || request.origin === 'rerun';
  if (!mine || !s.settings().notifications.toasts || shownRunId() === run.instanceId) return;
  void vscode.window.showErrorMessage(`Capsule: ${request.taskName} — ${outcomeText({ state, error })}`, 'Show Details')
    .then((pick) => { if (pick) void vscode.commands.executeCommand(Commands.showRunDetails, run.instanceId); });
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** The engine refused a run (no such task, a bad decorator): say so, with a way to the source. */
export function reportNotRun(s: Services, request: RunRequest, message: string): void {
  s.status.setLast(request.taskName, 'failed', `can't run: ${firstLine(message)}`);
  if (request.origin === 'testing') return;
  void vscode.window.showErrorMessage(`Capsule: ${request.taskName} can't run — ${firstLine(message)}`, 'Go to Source')
    .then((pick) => {
      if (pick === 'Go to Source') void vscode.commands.executeCommand(Commands.goToSource, { kind: 'run', run: { id: '', taskName: request.taskName, file: request.file } });
    });
}
