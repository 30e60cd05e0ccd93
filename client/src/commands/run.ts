// Starting runs: from a lens, the Tasks view, the palette, the Testing view or a node of
// Task Runs. A task with required parameters is never run without asking for them; the box
// starts from the signature or the last arguments used for that task, and what is typed is
// checked against the signature before anything runs.
import * as vscode from 'vscode';
import type { Runnable, TaskInfo } from '../../../server/src/protocol';
import { Commands } from '../ids';
import { parseTaskArgs } from '../../../runtime/src/values/task-args';
import { absoluteFile, sameFile } from '../paths';
import type { RunInfo } from '../runs/model';
import type { RunRequest } from '../runs/runner';
import { argsTemplate, checkArgs, formatCall, requiredParams, type CallArgs } from '../runs/signature';
import type { RunChild } from '../views/run-presentation';
import type { Services } from '../services';

export { absoluteFile } from '../paths';

const LAST_ARGS_KEY = 'capsule.lastArgs';

function fromRunnable(r: Runnable, origin: RunRequest['origin']): RunRequest {
  const uri = vscode.Uri.parse(r.uri);
  return { file: uri.scheme === 'file' ? uri.fsPath : r.file, taskName: r.taskName, uri: r.uri, origin };
}

function isRunnable(x: unknown): x is Runnable {
  return !!x && typeof x === 'object' && typeof (x as Runnable).uri === 'string' && typeof (x as Runnable).taskName === 'string';
}

/** The task under the cursor: the nearest task whose `def` is at or above it. */
function taskAt(tasks: readonly TaskInfo[], line: number): TaskInfo | undefined {
  return tasks.filter((t) => t.line <= line + 2).sort((a, b) => b.line - a.line)[0];
}

/** Every task of the workspace to pick from, this file's first, each with its file. */
async function pickFromWorkspace(tasks: readonly TaskInfo[], current?: string): Promise<TaskInfo | undefined> {
  if (tasks.length === 0) {
    void vscode.window.showWarningMessage('Capsule: no @task found in this workspace. Decorate a function with @task from capsule.');
    return undefined;
  }
  const sorted = [...tasks].sort((a, b) => Number(b.uri === current) - Number(a.uri === current) || a.file.localeCompare(b.file) || a.line - b.line);
  const pick = await vscode.window.showQuickPick(
    sorted.map((t) => ({ label: t.taskName, description: `${vscode.workspace.asRelativePath(vscode.Uri.parse(t.uri), false)}:${t.line + 1}`, detail: t.problems ? "⚠ can't run: its decorator has errors" : undefined, t })),
    { title: 'Capsule: Run Task', placeHolder: 'Which task? (type to filter by name or file)', matchOnDescription: true },
  );
  return pick?.t;
}

/** A runnable from the argument, else the task under the cursor, else a pick among all tasks. */
async function pickTask(s: Services, arg: unknown, origin: RunRequest['origin']): Promise<RunRequest | undefined> {
  if (isRunnable(arg)) return fromRunnable(arg, origin ?? 'lens');
  if (arg && typeof arg === 'object' && (arg as { kind?: string }).kind === 'task') return fromRunnable((arg as { task: Runnable }).task, 'tree');
  const all = await s.tasksView.current().catch(() => [] as TaskInfo[]);
  const editor = vscode.window.activeTextEditor;
  const doc = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : editor?.document;
  if (doc && doc.uri.scheme === 'file' && doc.fileName.endsWith('.py')) {
    const here = all.filter((t) => t.uri === doc.uri.toString());
    const cursor = editor?.document === doc ? editor.selection.active.line : undefined;
    const under = cursor !== undefined ? taskAt(here, cursor) : undefined;
    if (under) return fromRunnable(under, 'palette');
    if (here.length === 1) return fromRunnable(here[0]!, 'palette');
    if (here.length === 0 && all.length === 0) return { file: doc.fileName, taskName: 'main', uri: doc.uri.toString(), origin: 'palette' };
    const picked = await pickFromWorkspace(all, doc.uri.toString());
    return picked ? fromRunnable(picked, 'palette') : undefined;
  }
  const picked = await pickFromWorkspace(all);
  return picked ? fromRunnable(picked, 'palette') : undefined;
}

/**
 * The task's index entry, fresh from the server (for its parameters). Asked directly, not
 * through the Tasks view's re-lists: a run must not wait behind them.
 */
async function taskInfo(s: Services, req: RunRequest): Promise<TaskInfo | undefined> {
  const all = await s.ctx.listTasks().catch(() => [] as TaskInfo[]);
  return all.find((t) => t.taskName === req.taskName && (t.uri === req.uri || vscode.Uri.parse(t.uri).fsPath === req.file));
}

const argsKey = (req: { uri?: string; file: string; taskName: string }) => `${req.uri ?? vscode.Uri.file(req.file).toString()}#${req.taskName}`;

function lastArgs(s: Services, req: RunRequest): string | undefined {
  return s.ctx.extension.workspaceState.get<Record<string, string>>(LAST_ARGS_KEY, {})[argsKey(req)];
}

async function rememberArgs(s: Services, req: RunRequest, text: string): Promise<void> {
  const all = { ...s.ctx.extension.workspaceState.get<Record<string, string>>(LAST_ARGS_KEY, {}), [argsKey(req)]: text };
  await s.ctx.extension.workspaceState.update(LAST_ARGS_KEY, all);
}

/** Parses and checks the box's text; a message naming what is wrong, or the arguments. */
export function readArgs(text: string, taskName: string, info: TaskInfo | undefined): { ok: true; call: CallArgs } | { ok: false; message: string } {
  const parsed = parseTaskArgs(text, 'Arguments');
  if (!parsed.ok) return parsed;
  const call = { args: parsed.args, kwargs: parsed.kwargs };
  const problem = info?.params ? checkArgs(taskName, info.params, call) : undefined;
  return problem ? { ok: false, message: problem } : { ok: true, call };
}

/** Asks for the arguments, pre-filled; undefined when dismissed. */
export async function askArgs(s: Services, req: RunRequest, info: TaskInfo | undefined): Promise<CallArgs | undefined> {
  const params = info?.params ?? [];
  const signature = info?.params ? `${req.taskName}(${params.map((p) => `${p.kind === 'varargs' ? '*' : p.kind === 'varkw' ? '**' : ''}${p.name}${p.annotation ? `: ${p.annotation}` : ''}${p.default !== undefined ? ` = ${p.default}` : ''}`).join(', ')})` : undefined;
  const text = await vscode.window.showInputBox({
    title: `Run ${signature ?? req.taskName}`,
    prompt: 'JSON: an object of keyword arguments, an array of positional ones, or {"args": [...], "kwargs": {...}}',
    value: argsTemplate(params, lastArgs(s, req)),
    placeHolder: params.length ? JSON.stringify(Object.fromEntries(params.filter((p) => p.kind === 'positional' || p.kind === 'keyword').map((p) => [p.name, p.annotation ?? '…']))) : 'no parameters: leave empty',
    ignoreFocusOut: true,
    validateInput: (v) => { const r = readArgs(v, req.taskName, info); return r.ok ? undefined : r.message; },
  });
  if (text === undefined) return undefined;
  const r = readArgs(text, req.taskName, info);
  if (!r.ok) return undefined;
  await rememberArgs(s, req, text.trim());
  return r.call;
}

/** Settles a request's arguments: asks when the task has required parameters and none were given. */
export async function settleArgs(s: Services, req: RunRequest): Promise<RunRequest | undefined> {
  if (req.args !== undefined || req.kwargs !== undefined) return req;
  const info = await taskInfo(s, req);
  if (!info?.params || requiredParams(info.params).length === 0) return req;
  const call = await askArgs(s, req, info);
  return call ? { ...req, ...call } : undefined;
}

export async function startRun(s: Services, request: RunRequest): Promise<string | undefined> {
  // A second run of a task that is still running is a choice, not an accident.
  const running = s.store.active().find((r) => !r.parentId && r.taskName === request.taskName && sameFile(request.file, r.file));
  if (running && request.origin !== 'testing') {
    const pick = await vscode.window.showWarningMessage(`Capsule: ${formatCall(running.taskName, running.args)} is still running. Start another run?`, { modal: true }, 'Run Another', 'Show Running');
    if (pick === 'Show Running') { void vscode.commands.executeCommand(Commands.showRunDetails, running.id); return undefined; }
    if (pick !== 'Run Another') return undefined;
  }
  if (!(await savedForRun(request))) return undefined;
  try {
    const { instanceId } = await s.runner.start(request);
    void s.runsView.reveal(instanceId);
    return instanceId;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    s.output.appendLine(`[capsule] could not start ${request.taskName} (${request.file}): ${message}`);
    void vscode.window.showErrorMessage(`Capsule: could not start task "${request.taskName}": ${message}`, 'Show Output')
      .then((pick) => { if (pick) s.output.show(false); });
    return undefined;
  }
}

/**
 * The engine runs the file on disk, as the CLI does, while the lens shows the editor's
 * text: an unsaved task file is saved first, so both are the same config; a file that
 * cannot be saved is not run.
 */
async function savedForRun(request: RunRequest): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && sameFile(d.fileName, request.file));
  if (!doc?.isDirty || (await doc.save())) return true;
  void vscode.window.showErrorMessage(`Capsule: ${vscode.workspace.asRelativePath(doc.uri, false)} has unsaved changes that could not be saved; a run uses the file on disk, so "${request.taskName}" did not run. Save the file, then run it again.`);
  return false;
}

/** A recorded run as a request: its task, its file on disk and the arguments the trace kept. */
export function requestOf(run: RunInfo): RunRequest {
  const file = absoluteFile(run.file);
  return { file, taskName: run.taskName, uri: vscode.Uri.file(file).toString(), ...(run.args ?? {}) };
}

export function runOf(s: Services, node: unknown): RunInfo | undefined {
  const id = typeof node === 'string' ? node : (node as RunChild | undefined)?.run?.id;
  return id ? s.store.get(id) : undefined;
}

export function registerRunCommands(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.runTask, async (arg?: unknown) => {
      const req = await pickTask(s, arg, undefined);
      const ready = req ? await settleArgs(s, req) : undefined;
      return ready ? startRun(s, ready) : undefined;
    }),
    // On the queue's workers (capsule.queue.url); the engine says what is wrong with the setting.
    vscode.commands.registerCommand(Commands.runTaskOnQueue, async (arg?: unknown) => {
      if (s.settings().queue.url.trim() === '') {
        const pick = await vscode.window.showErrorMessage('Capsule: the setting capsule.queue.url is empty: set it to the queue\'s redis://HOST:PORT[/DB] to run tasks on its workers (start them with: capsule worker --queue URL).', 'Open Settings');
        if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'capsule.queue.url');
        return undefined;
      }
      const req = await pickTask(s, arg, undefined);
      const ready = req ? await settleArgs(s, { ...req, onQueue: true }) : undefined;
      return ready ? startRun(s, ready) : undefined;
    }),
    vscode.commands.registerCommand(Commands.runTaskWithArgs, async (arg?: unknown, argsJson?: string) => {
      const req = await pickTask(s, arg, undefined);
      if (!req) return undefined;
      const info = await taskInfo(s, req);
      // A second argument (used by tests and keybindings) skips the input box, not the check.
      if (typeof argsJson === 'string') {
        const r = readArgs(argsJson, req.taskName, info);
        if (!r.ok) { void vscode.window.showErrorMessage(`Capsule: ${r.message}`); return undefined; }
        return startRun(s, { ...req, ...r.call });
      }
      const given = await askArgs(s, req, info);
      return given ? startRun(s, { ...req, ...given }) : undefined;
    }),
    vscode.commands.registerCommand(Commands.rerunLast, async () => {
      const last = s.runner.lastRequest;
      if (!last) { void vscode.window.showInformationMessage('Capsule: nothing has run yet in this window.'); return undefined; }
      return startRun(s, { ...last, origin: 'rerun' });
    }),
    vscode.commands.registerCommand(Commands.rerunRun, async (node?: unknown) => {
      const run = runOf(s, node);
      if (!run) return undefined;
      const root = run.parentId ? undefined : s.runner.requestOf(run.id);
      // A run from the history re-runs with the arguments the trace kept.
      const req: RunRequest = root ?? requestOf(run);
      const ready = await settleArgs(s, { ...req, origin: 'rerun' });
      return ready ? startRun(s, ready) : undefined;
    }),
  ];
}
