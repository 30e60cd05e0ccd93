// Starting runs: from a lens, the Tasks view, the palette, or a node of Task Runs.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { Runnable } from '../../../server/src/protocol';
import { Commands } from '../ids';
import { parseArgsInput } from '../runs/args';
import type { RunInfo } from '../runs/model';
import type { RunRequest } from '../runs/runner';
import type { RunChild } from '../views/runPresentation';
import type { Services } from '../services';

function fromRunnable(r: Runnable): RunRequest {
  const uri = vscode.Uri.parse(r.uri);
  return { file: uri.scheme === 'file' ? uri.fsPath : r.file, taskName: r.taskName, uri: r.uri };
}

function isRunnable(x: unknown): x is Runnable {
  return !!x && typeof x === 'object' && typeof (x as Runnable).uri === 'string' && typeof (x as Runnable).taskName === 'string';
}

/** A runnable from the argument, or else from the active editor (asking which task if several). */
async function pickRunnable(s: Services, arg: unknown): Promise<RunRequest | undefined> {
  if (isRunnable(arg)) return fromRunnable(arg);
  if (arg && typeof arg === 'object' && (arg as { kind?: string }).kind === 'task') return fromRunnable((arg as { task: Runnable }).task);
  const doc = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file' || !doc.fileName.endsWith('.py')) {
    void vscode.window.showWarningMessage('Capsule: open a Python file with a @task, or use a "Run task" lens.');
    return undefined;
  }
  const tasks = (await s.ctx.listTasks().catch(() => [])).filter((t) => t.uri === doc.uri.toString());
  if (tasks.length === 0) return { file: doc.fileName, taskName: 'main', uri: doc.uri.toString() };
  if (tasks.length === 1) return fromRunnable(tasks[0]);
  const pick = await vscode.window.showQuickPick(tasks.map((t) => ({ label: t.taskName, description: `line ${t.line + 1}`, t })), { placeHolder: 'Which task?' });
  return pick ? fromRunnable(pick.t) : undefined;
}

export async function startRun(s: Services, request: RunRequest): Promise<string | undefined> {
  try {
    const { instanceId } = await s.runner.start(request);
    s.output.show(true);
    void s.runsView.reveal(instanceId);
    return instanceId;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    s.output.appendLine(`[capsule] could not start ${request.taskName} (${request.file}): ${message}`);
    // Not awaited: the command returns now, the notification stays until dismissed.
    void vscode.window.showErrorMessage(`Capsule: could not start task "${request.taskName}": ${message}`, 'Show Output')
      .then((pick) => { if (pick) s.output.show(false); });
    return undefined;
  }
}

async function askArgs(taskName: string, previous?: string): Promise<{ args: unknown[]; kwargs: Record<string, unknown> } | undefined> {
  const text = await vscode.window.showInputBox({
    title: `Run ${taskName} with arguments`,
    prompt: 'JSON: an array for positional arguments, an object for keyword arguments',
    placeHolder: '[1, "two"]  or  {"dataset": [1, 2, 3]}',
    value: previous,
    ignoreFocusOut: true,
    validateInput: (v) => { const p = parseArgsInput(v); return p.ok ? undefined : p.message; },
  });
  if (text === undefined) return undefined;
  const parsed = parseArgsInput(text);
  return parsed.ok ? { args: parsed.args, kwargs: parsed.kwargs } : undefined;
}

/** Trace rows may hold project-relative paths. */
export function absoluteFile(file: string): string {
  if (isAbsolute(file)) return file;
  const folder = vscode.workspace.workspaceFolders?.find((f) => existsSync(join(f.uri.fsPath, file)));
  return folder ? join(folder.uri.fsPath, file) : file;
}

function runOf(s: Services, node: unknown): RunInfo | undefined {
  const id = (node as RunChild | undefined)?.run?.id;
  return id ? s.store.get(id) : undefined;
}

export function registerRunCommands(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.runTask, async (arg?: unknown) => {
      const req = await pickRunnable(s, arg);
      return req ? startRun(s, req) : undefined;
    }),
    vscode.commands.registerCommand(Commands.runTaskWithArgs, async (arg?: unknown, argsJson?: string) => {
      const req = await pickRunnable(s, arg);
      if (!req) return undefined;
      // A second argument (used by tests and keybindings) skips the input box, not the check.
      if (typeof argsJson === 'string') {
        const parsed = parseArgsInput(argsJson);
        if (!parsed.ok) { void vscode.window.showErrorMessage(`Capsule: ${parsed.message}`); return undefined; }
        return startRun(s, { ...req, args: parsed.args, kwargs: parsed.kwargs });
      }
      const given = await askArgs(req.taskName);
      return given ? startRun(s, { ...req, ...given }) : undefined;
    }),
    vscode.commands.registerCommand(Commands.rerunLast, async () => {
      const last = s.runner.lastRequest;
      if (!last) { void vscode.window.showInformationMessage('Capsule: nothing has run yet in this window.'); return undefined; }
      return startRun(s, last);
    }),
    vscode.commands.registerCommand(Commands.rerunRun, async (node?: unknown) => {
      const run = runOf(s, node);
      if (!run) return undefined;
      const root = run.parentId ? undefined : s.runner.requestOf(run.id);
      return startRun(s, root ?? { file: absoluteFile(run.file), taskName: run.taskName });
    }),
  ];
}
