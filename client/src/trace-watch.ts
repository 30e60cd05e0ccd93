// Runs made outside this window (the `capsule` CLI, another window) appear without a reload:
// a change to any project's .capsule/trace.db reloads the history, at most every 500 ms.
import * as vscode from 'vscode';

export function watchTraces(reload: () => void, delayMs = 500): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher('**/.capsule/trace.db');
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    if (timer) return;
    timer = setTimeout(() => { timer = undefined; reload(); }, delayMs);
  };
  const subs = [watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed)];
  return { dispose: () => { clearTimeout(timer); for (const d of subs) d.dispose(); } };
}
