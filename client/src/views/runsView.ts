// The Task Runs view: a plain TreeDataProvider over the RunStore. Refreshes are
// debounced, driven by engine events, and skipped while the view is hidden.
import * as vscode from 'vscode';
import { Commands, ContextKeys, Views } from '../ids';
import type { RunStore } from '../runs/model';
import { attemptLook, errorLook, runChildren, runLook, type NodeLook, type RunChild } from './runPresentation';

const DEBOUNCE_MS = 100;
const TICK_MS = 1000;

export class RunsView implements vscode.TreeDataProvider<RunChild>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunChild | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<RunChild>;
  private readonly disposables: vscode.Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private stale = false;
  private readonly shown = new vscode.EventEmitter<void>();
  readonly onDidShow = this.shown.event;

  constructor(private readonly store: RunStore) {
    this.view = vscode.window.createTreeView(Views.runs, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      store.onChange((changed) => { this.noteFailures(changed); this.schedule(); }),
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) this.shown.fire();
        if (e.visible && this.stale) this.schedule();
      }),
      this.shown,
    );
    this.updateContext();
  }

  /** Reveals and selects a run's node (e.g. right after starting it). */
  async reveal(instanceId: string): Promise<void> {
    const run = this.store.get(instanceId);
    if (run && this.view.visible) await this.view.reveal({ kind: 'run', run }, { select: true, focus: false }).then(undefined, () => undefined);
  }

  /** Failed live runs open once to show their error (VS Code keeps a node's expansion by id). */
  private readonly toExpand = new Set<string>();
  private readonly expanded = new Set<string>();

  private noteFailures(changed: ReadonlySet<string>): void {
    for (const id of changed) {
      const run = this.store.get(id);
      if (run?.error && !run.fromHistory && run.state !== 'interrupted' && !this.expanded.has(id)) this.toExpand.add(id);
    }
  }

  private expandFailures(): void {
    for (const id of this.toExpand) {
      const run = this.store.get(id);
      this.expanded.add(id);
      if (run?.error) void this.view.reveal({ kind: 'error', run }, { select: false, focus: false, expand: false }).then(undefined, () => undefined);
    }
    this.toExpand.clear();
  }

  private schedule(): void {
    if (!this.view.visible) { this.stale = true; this.updateContext(); return; }
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.stale = false;
      this.updateContext();
      this.changed.fire(undefined);
      this.expandFailures();
      this.tick();
    }, DEBOUNCE_MS);
  }

  /** While something runs, refresh once a second so its elapsed time moves. */
  private tick(): void {
    if (this.ticker || this.store.active().length === 0) return;
    this.ticker = setTimeout(() => { this.ticker = undefined; this.schedule(); }, TICK_MS);
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.hasRuns, this.store.size > 0);
    this.view.badge = this.store.active().length > 0 ? { value: this.store.active().length, tooltip: `${this.store.active().length} running` } : undefined;
  }

  getChildren(element?: RunChild): RunChild[] {
    if (!element) return this.store.rootRuns().map((run) => ({ kind: 'run', run }));
    if (element.kind !== 'run') return [];
    const run = this.store.get(element.run.id) ?? element.run;
    return runChildren(run, this.store.childRuns(run.id));
  }

  getParent(element: RunChild): RunChild | undefined {
    const parentId = element.kind === 'run' ? element.run.parentId : element.run.id;
    const parent = parentId ? this.store.get(parentId) : undefined;
    return parent ? { kind: 'run', run: parent } : undefined;
  }

  getTreeItem(element: RunChild): vscode.TreeItem {
    const run = this.store.get(element.run.id) ?? element.run;
    const look: NodeLook = element.kind === 'run' ? runLook(run) : element.kind === 'attempt' ? attemptLook(run, element.attempt) : errorLook(run)!;
    const item = new vscode.TreeItem(look.label, look.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = look.id;
    item.description = look.description;
    item.tooltip = look.tooltip;
    item.contextValue = look.contextValue;
    item.iconPath = new vscode.ThemeIcon(look.icon.spin ? `${look.icon.id}~spin` : look.icon.id, look.icon.color ? new vscode.ThemeColor(look.icon.color) : undefined);
    if (element.kind === 'run') {
      item.command = { title: 'Show Run Details', command: Commands.showRunDetails, arguments: [run.id] };
    }
    return item;
  }

  dispose(): void {
    clearTimeout(this.pending);
    clearTimeout(this.ticker);
    for (const d of this.disposables) d.dispose();
  }
}
