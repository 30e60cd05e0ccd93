// The Tasks view: every @task of the workspace, from the language server's index,
// grouped by file, each with a run button.
import * as vscode from 'vscode';
import type { TaskInfo } from '../../../server/src/protocol';
import { Commands, Views } from '../ids';
import { formatBytes, formatDuration } from '../runs/format';

export type TaskNode = { kind: 'file'; uri: string; tasks: TaskInfo[] } | { kind: 'task'; task: TaskInfo };

export class TasksView implements vscode.TreeDataProvider<TaskNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TaskNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<TaskNode>;
  private tasks: TaskInfo[] = [];
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly list: () => Promise<TaskInfo[]>, private readonly onError: (err: unknown) => void) {
    this.view = vscode.window.createTreeView(Views.tasks, { treeDataProvider: this });
  }

  get all(): readonly TaskInfo[] { return this.tasks; }

  /** Re-lists from the server (debounced: the server may announce many changes at once). */
  refresh(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.list().then((tasks) => { this.tasks = tasks; this.changed.fire(undefined); }, this.onError);
    }, 150);
  }

  getChildren(element?: TaskNode): TaskNode[] {
    if (element?.kind === 'file') return element.tasks.map((task) => ({ kind: 'task', task }));
    if (element) return [];
    const byFile = new Map<string, TaskInfo[]>();
    for (const t of this.tasks) {
      const list = byFile.get(t.uri);
      if (list) list.push(t);
      else byFile.set(t.uri, [t]);
    }
    return [...byFile.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([uri, tasks]) => ({ kind: 'file', uri, tasks }));
  }

  getTreeItem(node: TaskNode): vscode.TreeItem {
    if (node.kind === 'file') {
      const uri = vscode.Uri.parse(node.uri);
      const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `file:${node.uri}`;
      // The label is the file's name; the folder goes in the description only when there is one.
      const rel = vscode.workspace.asRelativePath(uri, false);
      const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      item.description = folder || false;
      item.contextValue = 'taskFile';
      return item;
    }
    const t = node.task;
    const item = new vscode.TreeItem(t.taskName, vscode.TreeItemCollapsibleState.None);
    item.id = `task:${t.uri}#${t.taskName}`;
    const cfg = t.config;
    const summary = cfg ? [String(cfg.compute), formatBytes(cfg.memoryLimitBytes), cfg.timeoutMs !== null ? formatDuration(cfg.timeoutMs) : ''].filter(Boolean).join(' · ') : '';
    item.description = [t.functionName !== t.taskName ? `${t.functionName}()` : '', summary, t.problems ? `${t.problems} problem${t.problems > 1 ? 's' : ''}` : ''].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(t.problems ? 'error' : 'symbol-function', t.problems ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
    if (t.problems) item.description = `can't run · ${item.description}`;
    item.contextValue = t.problems ? 'task.problems' : 'task';
    const params = t.params ? `(${t.params.map((p) => p.name).join(', ')})` : '';
    item.tooltip = `${t.taskName}${params} at ${vscode.workspace.asRelativePath(vscode.Uri.parse(t.uri), false)}:${t.line + 1}${t.problems ? "\nIts decorator has errors (see Problems): it can't run until they are fixed." : ''}`;
    item.command = { title: 'Go to Source', command: Commands.goToSource, arguments: [t] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.view.dispose();
    this.changed.dispose();
  }
}
