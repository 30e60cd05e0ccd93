// Resume and Replay on a run of the Task Runs view: the engine runs the root task
// again from the run's journal (runtime/src/journal). A resume makes for real only
// what the run did not complete; a replay makes no call and says whether the run
// reproduced its recorded outcome, or where it diverged.
import * as vscode from 'vscode';
import { sameOutcome } from '../../../runtime/src/journal/same-outcome';
import type { FromRun } from '../../../runtime/src/engine/types';
import { Commands } from '../ids';
import type { RunInfo } from '../runs/model';
import type { RunRequest } from '../runs/runner';
import type { Services } from '../services';
import { requestOf, runOf, startRun } from './run';

export function registerJournalCommands(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.resumeRun, (node?: unknown) => fromJournal(s, node, 'resume')),
    vscode.commands.registerCommand(Commands.replayRun, (node?: unknown) => fromJournal(s, node, 'replay')),
  ];
}

async function fromJournal(s: Services, node: unknown, mode: FromRun['mode']): Promise<string | undefined> {
  const run = runOf(s, node);
  if (!run) return undefined;
  if (run.parentId) {
    void vscode.window.showInformationMessage(`Capsule: ${mode} works on a whole run: choose its root task, not the sub-task "${run.taskName}".`);
    return undefined;
  }
  const request: RunRequest = { ...requestOf(run), origin: 'rerun', from: { runId: run.id, mode } };
  const id = await startRun(s, request);
  if (id && mode === 'replay') void reportReplay(s, id, run);
  return id;
}

/** Once the replay ends: a notification says whether it reproduced the recorded run. */
async function reportReplay(s: Services, id: string, recorded: RunInfo): Promise<void> {
  const finished = await s.runner.finishedOf(id)?.catch(() => undefined);
  if (!finished) return;
  const env = finished.envelope;
  const d = env.execution.journal?.divergence;
  const same = sameOutcome({ state: recorded.state, resultJson: recorded.resultJson ?? null, errorType: recorded.error?.errorType ?? null }, env);
  if (same && !d) {
    void vscode.window.showInformationMessage(`Capsule: the replay of ${recorded.taskName} reproduced the recorded outcome (${env.execution.journal?.replayed ?? 0} calls from the journal).`);
    return;
  }
  const why = d ? `it diverged at call ${d.path} (${d.kind}): expected ${d.expected}, got ${d.got}` : 'it ended differently from the recorded run';
  void vscode.window.showWarningMessage(`Capsule: the replay of ${recorded.taskName} did not reproduce the recorded run: ${why}.`, 'Show Details').then((pick) => {
    if (pick) void vscode.commands.executeCommand(Commands.showRunDetails, id);
  });
}
