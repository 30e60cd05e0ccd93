// Acting on runs: cancel, cancel all, clear history, show output, go to source.
import * as vscode from 'vscode';
import type { Runnable } from '../../../server/src/protocol';
import { Commands } from '../ids';
import type { RunChild } from '../views/run-presentation';
import type { Services } from '../services';
import { absoluteFile } from './run';

/** The top-level instance a node belongs to (cancelling a sub-task cancels its run). */
function rootId(s: Services, node: unknown): string | undefined {
  let run = s.store.get((node as RunChild | undefined)?.run?.id ?? '');
  while (run?.parentId && s.store.get(run.parentId)) run = s.store.get(run.parentId);
  return run?.id;
}

async function openAt(file: string, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(absoluteFile(file)));
  const pos = new vscode.Position(Math.max(0, line), 0);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
}

/** The 0-based line of `def <fn>` or `name="<task>"` in a file, else 0. */
function findTaskLine(text: string, taskName: string): number {
  const lines = text.split('\n');
  const byName = lines.findIndex((l) => l.includes(`name="${taskName}"`) || l.includes(`name='${taskName}'`));
  if (byName >= 0) return byName;
  const byDef = lines.findIndex((l) => new RegExp(`^\\s*(async\\s+)?def\\s+${taskName}\\b`).test(l));
  return Math.max(0, byDef);
}

export function registerRunsCommands(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.cancelRun, (node?: unknown) => {
      const id = rootId(s, node);
      if (!id || !s.runner.cancel(id)) void vscode.window.showInformationMessage('Capsule: that run is not running any more.');
    }),
    vscode.commands.registerCommand(Commands.cancelAll, () => {
      const n = s.runner.cancelAll();
      if (n === 0) void vscode.window.showInformationMessage('Capsule: no task is running.');
    }),
    vscode.commands.registerCommand(Commands.clearHistory, async (confirmed?: unknown) => {
      const finished = s.store.rootRuns().filter((r) => !s.store.active().includes(r)).length;
      if (finished === 0) { void vscode.window.showInformationMessage('Capsule: there is no finished run to clear.'); return; }
      // `true` as the argument (tests, keybindings) skips the question.
      if (confirmed !== true) {
        const pick = await vscode.window.showWarningMessage(
          `Clear the history of ${finished} finished run${finished === 1 ? '' : 's'}?`,
          { modal: true, detail: 'They are deleted from .capsule/trace.db, with their output and results. Running tasks are kept. This cannot be undone.' },
          'Clear History',
        );
        if (pick !== 'Clear History') return;
      }
      try {
        await s.engines.clearHistory();
        s.store.clearFinished();
        s.runDiagnostics.clearAll();
      } catch (err) {
        void vscode.window.showErrorMessage(`Capsule: could not clear the history: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
    // On a run: that run's own output (and its sub-tasks'), from the trace; else the channel.
    vscode.commands.registerCommand(Commands.showOutput, async (node?: unknown) => {
      const run = s.store.get((node as RunChild | undefined)?.run?.id ?? '');
      if (run && s.runOutput) return s.runOutput.open(run);
      s.output.show(false);
    }),
    vscode.commands.registerCommand(Commands.groupRunsByTask, () => { s.runsView.setGrouped(true); void s.ctx.extension.workspaceState.update('capsule.runsGrouped', true); }),
    vscode.commands.registerCommand(Commands.listRunsFlat, () => { s.runsView.setGrouped(false); void s.ctx.extension.workspaceState.update('capsule.runsGrouped', false); }),
    vscode.commands.registerCommand(Commands.showRunDetails, async (node?: unknown) => {
      const id = typeof node === 'string' ? node : (node as RunChild | undefined)?.run?.id ?? s.store.rootRuns()[0]?.id;
      if (!id || !s.store.get(id)) { void vscode.window.showInformationMessage('Capsule: no run to show yet.'); return; }
      await s.details?.show(id);
    }),
    vscode.commands.registerCommand(Commands.goToSource, async (node?: unknown) => {
      const runnable = node as Runnable | undefined;
      if (runnable && typeof runnable.uri === 'string' && typeof runnable.line === 'number') {
        await openAt(vscode.Uri.parse(runnable.uri).fsPath, runnable.line);
        return;
      }
      const run = (node as RunChild | undefined)?.run;
      if (!run) return;
      const index = s.tasksView.all.find((t) => t.taskName === run.taskName && vscode.Uri.parse(t.uri).fsPath === absoluteFile(run.file));
      if (index) return openAt(index.file, index.line);
      try {
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(absoluteFile(run.file)));
        await openAt(run.file, findTaskLine(new TextDecoder().decode(bytes), run.taskName));
      } catch (err) {
        void vscode.window.showErrorMessage(`Capsule: cannot open ${run.file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  ];
}
