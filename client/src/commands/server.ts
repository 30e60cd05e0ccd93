// The language server: restart, its log, and the activation measurement.
import * as vscode from 'vscode';
import { Commands } from '../ids';
import type { Services } from '../services';

export function registerServerCommands(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.restartServer, async () => {
      await s.ctx.restart();
      if (!s.ctx.isRunning) void vscode.window.showErrorMessage('Capsule: the language server did not come back.', 'Show Log').then((p) => p && s.ctx.serverLog.show());
    }),
    vscode.commands.registerCommand(Commands.showServerLog, () => s.ctx.serverLog.show()),
    vscode.commands.registerCommand(Commands.refreshTasks, () => s.tasksView.refresh()),
    // Returns the number, so tests and users can read it.
    vscode.commands.registerCommand(Commands.showActivation, () => {
      void vscode.window.showInformationMessage(`Capsule activated in ${s.activationMs.toFixed(1)} ms.`);
      return s.activationMs;
    }),
  ];
}
