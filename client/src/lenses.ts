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
  for (const l of lenses) byLine.set(l.range.start.line, [...(byLine.get(l.range.start.line) ?? []), l]);
  const out: vscode.CodeLens[] = [];
  for (const group of byLine.values()) {
    const runnable = group.map((l) => l.command?.arguments?.[0]).find(isRunnable);
    if (!runnable) { out.push(...group); continue; }
    const mine = (r: RunInfo) => r.taskName === runnable.taskName && sameFile(doc.uri.fsPath, r.file);
    const running = deps.store.active().filter((r) => !r.parentId && mine(r))[0];
    const last = deps.store.latestRoot((r) => mine(r) && r.state !== 'created' && r.state !== 'running' && r.state !== 'retrying');
    const info = deps.tasks().find((t) => t.taskName === runnable.taskName && t.uri === runnable.uri);
    const limits: Limits | undefined = info?.config ? { fuel: info.config.fuel, memoryLimitBytes: info.config.memoryLimitBytes, timeoutMs: info.config.timeoutMs } : undefined;
    const server: LensItem[] = group.map((l) => ({ title: l.command?.title ?? '', command: l.command?.command ?? '', args: l.command?.arguments }));
    const configError = server.some((l) => l.command === '' && l.title.startsWith('⚠'));
    const range = group[0]!.range;
    for (const item of planLenses({ server, configError, running, last, limits, queue: deps.queue() })) {
      out.push(new vscode.CodeLens(range, { title: item.title, command: item.command, arguments: item.args, tooltip: item.tooltip }));
    }
  }
  return out;
}
