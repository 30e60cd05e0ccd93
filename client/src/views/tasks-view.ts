// The Tasks view: every @task of the workspace, from the language server's index,
// grouped by file, each with a run button.
import * as vscode from 'vscode';
import type { TaskInfo } from '../../../server/src/protocol';
import { applySplices, type TaskListChanges, type TasksByUri } from '../../../server/src/task-list-changes';
import { Commands, Views } from '../ids';
import { formatBytes, formatDuration } from '../runs/format';

export type FileNode = { kind: 'file'; uri: string };
export type TaskNode = FileNode | { kind: 'task'; task: TaskInfo };
type TaskLeaf = Extract<TaskNode, { kind: 'task' }>;

/** What the server said changed since the list this view holds (undefined: no server, no tasks). */
export type ListChanges = (since: string | undefined) => Promise<TaskListChanges | undefined>;

export class TasksView implements vscode.TreeDataProvider<TaskNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TaskNode | TaskNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly tasksChanged = new vscode.EventEmitter<{ lists: TasksByUri; files: ReadonlySet<string> | undefined }>();
  /** The list changed: in these files (undefined: maybe in any). */
  readonly onDidChangeTasks = this.tasksChanged.event;
  private readonly view: vscode.TreeView<TaskNode>;
  private lists: TasksByUri = new Map();
  private version: string | undefined;
  private flat: TaskInfo[] | undefined;
  /** The nodes handed to VS Code, kept so that a change refreshes only its own (a file may hold 10,000 tasks). */
  private readonly fileNodes = new Map<string, FileNode>();
  private readonly taskNodes = new Map<string, TaskLeaf[]>();
  private pending: NodeJS.Timeout | undefined;
  /** Re-lists run one after another: each answer is changes to the list the one before left. */
  private queue: Promise<void> = Promise.resolve();
  /** A re-list queued and not started yet: a caller joins it rather than queue another. */
  private queued: Promise<void> | undefined;

  constructor(private readonly changes: ListChanges, private readonly onError: (err: unknown) => void) {
    this.view = vscode.window.createTreeView(Views.tasks, { treeDataProvider: this });
  }

  get all(): readonly TaskInfo[] {
    this.flat ??= [...this.lists.values()].flat();
    return this.flat;
  }

  /** Re-lists from the server (debounced: the server may announce many changes at once; one request at a time). */
  refresh(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.sync().catch(this.onError);
    }, 150);
  }

  /**
   * The server's list now, for a command that acts on what was just typed (the task under
   * the cursor): the changes since the list held, not the whole list (~4 MB for 10,000 tasks).
   */
  async current(): Promise<readonly TaskInfo[]> {
    clearTimeout(this.pending);
    this.pending = undefined;
    await this.sync();
    return this.all;
  }

  private sync(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.queue.then(() => {
      this.queued = undefined;
      return this.fetch();
    });
    this.queued = next;
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async fetch(): Promise<void> {
    const answer = await this.changes(this.version);
    if (!answer) return this.replace(new Map(), undefined);
    if (answer.full) {
      const lists: TasksByUri = new Map();
      applySplices(lists, answer.splices);
      return this.replace(lists, answer.version);
    }
    this.version = answer.version;
    if (!answer.splices.length) return;
    this.flat = undefined;
    const before = new Set(this.lists.keys());
    const touched = applySplices(this.lists, answer.splices);
    const refresh: TaskNode[] = [];
    let root = false;
    for (const s of answer.splices) {
      if (!before.has(s.uri) || !this.lists.has(s.uri)) { root = true; continue; }
      const nodes = this.taskNodes.get(s.uri);
      const inPlace = nodes && s.deleteCount === s.tasks.length && s.tasks.every((t, i) => nodes[s.start + i]?.task.taskName === t.taskName);
      if (inPlace) {
        s.tasks.forEach((t, i) => { const node = nodes[s.start + i]!; node.task = t; refresh.push(node); });
        // Tasks moved by a line break above them: their tooltips and Go to Source.
        const list = this.lists.get(s.uri)!;
        if (s.shift) for (let k = s.start + s.tasks.length; k < nodes.length; k++) { nodes[k]!.task = list[k]!; refresh.push(nodes[k]!); }
      } else {
        this.taskNodes.delete(s.uri);
        refresh.push(this.fileNode(s.uri));
      }
    }
    for (const uri of this.fileNodes.keys()) if (!this.lists.has(uri)) { this.fileNodes.delete(uri); this.taskNodes.delete(uri); }
    this.changed.fire(root ? undefined : refresh);
    this.tasksChanged.fire({ lists: this.lists, files: touched });
  }

  private replace(lists: TasksByUri, version: string | undefined): void {
    this.lists = lists;
    this.version = version;
    this.flat = undefined;
    this.fileNodes.clear();
    this.taskNodes.clear();
    this.changed.fire(undefined);
    this.tasksChanged.fire({ lists, files: undefined });
  }

  private fileNode(uri: string): FileNode {
    let node = this.fileNodes.get(uri);
    if (!node) this.fileNodes.set(uri, (node = { kind: 'file', uri }));
    return node;
  }

  getChildren(element?: TaskNode): TaskNode[] {
    if (element?.kind === 'file') {
      let nodes = this.taskNodes.get(element.uri);
      if (!nodes) this.taskNodes.set(element.uri, (nodes = (this.lists.get(element.uri) ?? []).map((task) => ({ kind: 'task', task }))));
      return nodes;
    }
    if (element) return [];
    return [...this.lists.keys()].sort((a, b) => a.localeCompare(b)).map((uri) => this.fileNode(uri));
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
    this.tasksChanged.dispose();
  }
}
