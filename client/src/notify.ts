// What happens when a run ends: the server learns the result (for its lens), and a
// failure becomes a notification with actions. A user's own cancel is not an error.
import * as vscode from 'vscode';
import { Commands } from './ids';
import type { FinishedRun, RunRequest } from './runs/runner';
import type { Services } from './services';

export function reportFinished(s: Services, run: FinishedRun): void {
  const { envelope: env, request, state } = run;
  s.ctx.notifyRunResult({
    uri: request.uri ?? vscode.Uri.file(request.file).toString(),
    taskName: request.taskName,
    state,
    durationMs: env.execution.duration_ms,
    fuelConsumed: env.execution.fuel_consumed,
    ramUsed: env.execution.ram_used,
    ...(env.error ? { errorType: env.error.error_type, message: env.error.message } : {}),
  });
  if (state === 'completed' || state === 'interrupted') return;
  const what = env.error ? `${env.error.error_type}: ${firstLine(env.error.message)}` : state.replace('_', ' ');
  void vscode.window.showErrorMessage(`Capsule: task "${request.taskName}" ${state.replace('_', ' ')} — ${what}`, 'Show Output', 'Go to Source', 'Re-run')
    .then((pick) => {
      const node = { kind: 'run', run: s.store.get(run.instanceId) ?? { id: run.instanceId, taskName: request.taskName, file: request.file } };
      if (pick === 'Show Output') s.output.show(false);
      if (pick === 'Go to Source') void vscode.commands.executeCommand(Commands.goToSource, node);
      if (pick === 'Re-run') void vscode.commands.executeCommand(Commands.rerunRun, node);
    });
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** The engine refused a run (no such task, a bad decorator): say so, with a way to the source. */
export function reportNotRun(s: Services, request: RunRequest, message: string): void {
  void vscode.window.showErrorMessage(`Capsule: task "${request.taskName}" did not run — ${firstLine(message)}`, 'Show Output', 'Go to Source')
    .then((pick) => {
      if (pick === 'Show Output') s.output.show(false);
      if (pick === 'Go to Source') void vscode.commands.executeCommand(Commands.goToSource, { kind: 'run', run: { id: '', taskName: request.taskName, file: request.file } });
    });
}
