// The Task Runs view: a plain TreeDataProvider over the RunStore. Refreshes are
// debounced, driven by engine events, and skipped while the view is hidden.
import * as vscode from 'vscode';
import { Commands, ContextKeys, Views } from '../ids';
import type { RunStore } from '../runs/model';
import { OUTCOMES, outcomeOf } from '../runs/outcome';
import { attemptLook, errorLook, groupLook, groupRuns, runChildren, runLook, type NodeLook, type RunChild, type RunGroup } from './run-presentation';

/** A node of the view: a run's node, or (grouped by task) a task's group of runs. */
export type RunsNode = RunChild | RunGroup;

const DEBOUNCE_MS = 100;
const TICK_MS = 1000;

export class RunsView implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<RunsNode>;
  /** Top-level runs grouped under their task (a toggle in the view's title). */
  private grouped = false;
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
        if (e.visible) { this.unseenFailures.clear(); this.updateContext(); this.shown.fire(); }
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

  /** Failed runs that ended while the view was hidden: the badge counts them until it shows. */
  private readonly unseenFailures = new Set<string>();

  private noteFailures(changed: ReadonlySet<string>): void {
    for (const id of changed) {
      const run = this.store.get(id);
      if (run && !run.parentId && !run.fromHistory && !this.view.visible && OUTCOMES[outcomeOf(run)].failure) this.unseenFailures.add(id);
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
    const running = this.store.active().length;
    const failed = this.unseenFailures.size;
    this.view.badge = running > 0 ? { value: running, tooltip: `${running} running` }
      : failed > 0 ? { value: failed, tooltip: `${failed} run${failed === 1 ? '' : 's'} failed since you last looked` } : undefined;
  }

  setGrouped(on: boolean): void {
    this.grouped = on;
    void vscode.commands.executeCommand('setContext', ContextKeys.runsGrouped, on);
    this.changed.fire(undefined);
  }

  getChildren(element?: RunsNode): RunsNode[] {
    if (!element) {
      const roots = this.store.rootRuns();
      return this.grouped ? groupRuns(roots) : roots.map((run) => ({ kind: 'run', run }));
    }
    if (element.kind === 'group') {
      return (groupRuns(this.store.rootRuns()).find((g) => g.key === element.key)?.runs ?? []).map((run) => ({ kind: 'run', run }));
    }
    if (element.kind !== 'run') return [];
    const run = this.store.get(element.run.id) ?? element.run;
    return runChildren(run, this.store.childRuns(run.id));
  }

  getParent(element: RunsNode): RunsNode | undefined {
    if (element.kind === 'group') return undefined;
    const parentId = element.kind === 'run' ? element.run.parentId : element.run.id;
    const parent = parentId ? this.store.get(parentId) : undefined;
    if (parent) return { kind: 'run', run: parent };
    if (element.kind === 'run' && this.grouped) return groupRuns(this.store.rootRuns()).find((g) => g.runs.some((r) => r.id === element.run.id));
    return undefined;
  }

  getTreeItem(element: RunsNode): vscode.TreeItem {
    if (element.kind === 'group') return this.item(groupLook(element));
    const run = this.store.get(element.run.id) ?? element.run;
    const look: NodeLook = element.kind === 'run' ? runLook(run) : element.kind === 'attempt' ? attemptLook(run, element.attempt) : errorLook(run)!;
    const item = this.item(look);
    if (element.kind === 'run') {
      item.command = { title: 'Show Run Details', command: Commands.showRunDetails, arguments: [run.id] };
    }
    return item;
  }

  private item(look: NodeLook): vscode.TreeItem {
    const item = new vscode.TreeItem(look.label, look.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = look.id;
    item.description = look.description;
    item.tooltip = look.tooltip;
    item.contextValue = look.contextValue;
    item.iconPath = new vscode.ThemeIcon(look.icon.spin ? `${look.icon.id}~spin` : look.icon.id, look.icon.color ? new vscode.ThemeColor(look.icon.color) : undefined);
    return item;
  }

  dispose(): void {
    clearTimeout(this.pending);
    clearTimeout(this.ticker);
    for (const d of this.disposables) d.dispose();
  }
}
