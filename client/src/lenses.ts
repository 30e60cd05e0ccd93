// The lens middleware. The server sends one lens per task without its commands (its
// `lenses: "resolve"` option; a 10,000-task file's lenses with commands are 7.4 MB of JSON
// on every change). Here each becomes the task's lenses as lens-plan.ts plans them from what
// the client knows (runs in flight, the last result from the history, config errors); the
// ones that need the server's commands (run, run with arguments, limits) are resolved when
// VS Code shows them, with one codeLens/resolve per task.
import * as vscode from 'vscode';
import type { Command } from 'vscode-languageclient';
import type { LensData } from '../../server/src/lenses';
import type { TaskInfo } from '../../server/src/protocol';
import { Commands } from './ids';
import { LensCommands, planLenses, type LensItem, type TaskLensState } from './lens-plan';
import type { RunInfo, RunStore } from './runs/model';
import type { Limits } from './runs/outcome';
import { sameFile } from './paths';

export interface LensDeps {
  store: RunStore;
  tasks(): readonly TaskInfo[];
  /** The queue to offer "Run on queue" for (capsule.queue.url, shown without its password), if any. */
  queue(): string | undefined;
}

type ClientState = Omit<TaskLensState, 'server'>;

/** The i-th lens planned for a task, resolved from the server's lens `base` when shown. */
class TaskLens extends vscode.CodeLens {
  constructor(readonly base: vscode.CodeLens, readonly index: number, readonly state: ClientState) {
    super(base.range);
  }
}

/** Stands for the server's run, run-with-arguments and limits lenses when counting a plan's lenses. */
const SERVER_PLACEHOLDER: LensItem[] = [
  { title: '', command: LensCommands.run },
  { title: '', command: Commands.runTaskWithArgs },
  { title: '', command: '' },
];

const isLensData = (x: unknown): x is LensData => Array.isArray(x) && typeof x[0] === 'number' && typeof x[1] === 'string';

/** The server's per-task lenses of `doc`, planned into the lenses VS Code shows. */
export function planTaskLenses(doc: vscode.TextDocument, lenses: vscode.CodeLens[], deps: LensDeps): vscode.CodeLens[] {
  // Looked up once per call, not once per task: a file may hold 10,000 tasks.
  const uri = doc.uri.toString();
  const infos = new Map(deps.tasks().filter((t) => t.uri === uri).map((t) => [t.taskName, t]));
  const runs = runsByTask(deps.store, doc.uri.fsPath);
  const queue = deps.queue();
  const out: vscode.CodeLens[] = [];
  for (const base of lenses) {
    const data = (base as { data?: unknown }).data;
    if (!isLensData(data)) { out.push(base); continue; }
    const [, taskName, configError] = data;
    const info = infos.get(taskName);
    const limits: Limits | undefined = info?.config ? { fuel: info.config.fuel, memoryLimitBytes: info.config.memoryLimitBytes, timeoutMs: info.config.timeoutMs } : undefined;
    const state: ClientState = { configError: configError === 1, ...runs.get(taskName), limits, queue };
    if (state.configError || state.running) {
      // These plans do not use the server's commands: drawn now.
      for (const item of planLenses({ ...state, server: [] })) out.push(new vscode.CodeLens(base.range, asCommand(item)));
      continue;
    }
    const count = planLenses({ ...state, server: SERVER_PLACEHOLDER }).length;
    for (let i = 0; i < count; i++) out.push(new TaskLens(base, i, state));
  }
  return out;
}

type Next = (lens: vscode.CodeLens, token: vscode.CancellationToken) => vscode.ProviderResult<vscode.CodeLens>;

/** The server's commands for a task lens, asked once for all of that task's lenses. */
const asked = new WeakMap<vscode.CodeLens, Promise<Command[] | undefined>>();

/** Resolves a TaskLens (others go to the server as they are). */
export async function resolveTaskLens(lens: vscode.CodeLens, token: vscode.CancellationToken, next: Next): Promise<vscode.CodeLens | null | undefined> {
  if (!(lens instanceof TaskLens)) return next(lens, token);
  let commands = asked.get(lens.base);
  if (!commands) {
    // Shared by the task's lenses and by later resolve rounds, so not cancelled with the
    // round that asked first (VS Code cancels a round when the layout changes; the next
    // round, handed that cancelled answer, would leave its lenses blank).
    commands = Promise.resolve(next(lens.base, new vscode.CancellationTokenSource().token)).then((r) => {
      const c = ((r as { data?: { commands?: Command[] } } | null | undefined)?.data)?.commands;
      return Array.isArray(c) ? c : undefined;
    });
    asked.set(lens.base, commands);
  }
  const server = await commands;
  if (!server) {
    asked.delete(lens.base); // failed: asked again next time
    return lens;
  }
  if (token.isCancellationRequested) return lens;
  const items = planLenses({ ...lens.state, server: server.map((c) => ({ title: c.title, command: c.command, args: c.arguments, tooltip: c.tooltip })) });
  const item = items[lens.index];
  lens.command = item ? asCommand(item) : { title: '', command: '' };
  return lens;
}

const asCommand = (item: LensItem): vscode.Command => ({ title: item.title, command: item.command, arguments: item.args, tooltip: item.tooltip });

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
