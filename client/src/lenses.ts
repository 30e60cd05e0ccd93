// The lens middleware: the server's lenses per task, reshaped by lens-plan.ts with what the
// client knows (runs in flight, the last result from the history, config errors).
import * as vscode from 'vscode';
import type { Runnable } from '../../server/src/protocol';
import { planLenses, type LensItem } from './lens-plan';
import type { RunInfo, RunStore } from './runs/model';
import type { Limits } from './runs/outcome';
import { sameFile } from './paths';
import type { TaskInfo } from '../../server/src/protocol';

export interface LensDeps {
  store: RunStore;
  tasks(): readonly TaskInfo[];
  /** The queue to offer "Run on queue" for (capsule.queue.url, shown without its password), if any. */
  queue(): string | undefined;
}

const isRunnable = (x: unknown): x is Runnable => !!x && typeof (x as Runnable).taskName === 'string' && typeof (x as Runnable).uri === 'string';

export function reshapeLenses(doc: vscode.TextDocument, lenses: vscode.CodeLens[], deps: LensDeps): vscode.CodeLens[] {
  const byLine = new Map<number, vscode.CodeLens[]>();
  for (const l of lenses) {
    const group = byLine.get(l.range.start.line);
    if (group) group.push(l);
    else byLine.set(l.range.start.line, [l]);
  }
  // Looked up once per call, not once per task: a file may hold 10,000 tasks.
  const infos = new Map(deps.tasks().map((t) => [`${t.uri}#${t.taskName}`, t]));
  const runs = runsByTask(deps.store, doc.uri.fsPath);
  const queue = deps.queue();
  const out: vscode.CodeLens[] = [];
  for (const group of byLine.values()) {
    const runnable = group.map((l) => l.command?.arguments?.[0]).find(isRunnable);
    if (!runnable) { out.push(...group); continue; }
    const { running, last } = runs.get(runnable.taskName) ?? {};
    const info = infos.get(`${runnable.uri}#${runnable.taskName}`);
    const limits: Limits | undefined = info?.config ? { fuel: info.config.fuel, memoryLimitBytes: info.config.memoryLimitBytes, timeoutMs: info.config.timeoutMs } : undefined;
    const server: LensItem[] = group.map((l) => ({ title: l.command?.title ?? '', command: l.command?.command ?? '', args: l.command?.arguments }));
    const configError = server.some((l) => l.command === '' && l.title.startsWith('⚠'));
    const range = group[0]!.range;
    for (const item of planLenses({ server, configError, running, last, limits, queue })) {
      out.push(new vscode.CodeLens(range, { title: item.title, command: item.command, arguments: item.args, tooltip: item.tooltip }));
    }
  }
  return out;
}

/**
 * Per task name, the file's running top-level run and its newest finished one, in one pass
 * over the runs (top-level runs come newest first).
 */
function runsByTask(store: RunStore, file: string): Map<string, { running?: RunInfo; last?: RunInfo }> {
  const out = new Map<string, { running?: RunInfo; last?: RunInfo }>();
  const entry = (name: string) => { let e = out.get(name); if (!e) out.set(name, (e = {})); return e; };
  for (const r of store.active()) if (!r.parentId && sameFile(file, r.file)) entry(r.taskName).running ??= r;
  for (const r of store.rootRuns()) {
    if (r.state !== 'created' && r.state !== 'running' && r.state !== 'retrying' && sameFile(file, r.file)) entry(r.taskName).last ??= r;
  }
  return out;
}
