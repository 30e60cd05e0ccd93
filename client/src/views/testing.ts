// Tasks in the Testing view: one test item per @task (from the server's index). Every run,
// whoever started it (a lens, the tree, the palette, this view), is a TestRun with its output,
// so the gutter, this view, the lenses and the tree agree. A task "passes" when it completes;
// a failure's message carries the traceback as a stack, at the line that raised.
import * as vscode from 'vscode';
import type { TaskInfo } from '../../../server/src/protocol';
import type { TasksByUri } from '../../../server/src/task-list-changes';
import type { LifecycleEvent } from '../../../runtime/src/engine/types';
import { formatMetrics } from '../runs/format';
import { errorFrom } from '../runs/model';
import { outcomeOf, outcomeText } from '../runs/outcome';
import { resultText, type FinishedRun, type RunRequest, type Runner } from '../runs/runner';
import { isProjectFrame, raisingFrame, type Frame } from '../runs/traceback';

/** Asks for a task's arguments (the "Run with arguments" profile); undefined when dismissed. */
export type ArgsPrompt = (task: TaskInfo) => Promise<{ args: unknown[]; kwargs: Record<string, unknown> } | undefined>;
/** A task's run request with its arguments settled (asked when it needs them); undefined to skip it. */
export type RequestFor = (task: TaskInfo) => Promise<RunRequest | undefined>;

type StackFrameCtor = new (label: string, uri?: vscode.Uri, position?: vscode.Position) => unknown;

export class TaskTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('capsule', 'Capsule tasks');
  private readonly byId = new Map<string, TaskInfo>();
  /** Each file item's task item ids, as last set. */
  private readonly fileIds = new Map<string, Set<string>>();
  /** Test runs following engine runs, by run id (sub-tasks share their root's). */
  private readonly following = new Map<string, { run: vscode.TestRun; item: vscode.TestItem }>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly runner: Runner, private readonly requestFor: RequestFor, private readonly askArgs: ArgsPrompt) {
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token, false), true);
    this.controller.createRunProfile('Run with arguments', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token, true), false);
    this.subs.push(runner.onEvent((e) => this.onEvent(e)));
  }

  /**
   * Mirrors the index (in `files`, or all): files as parents, tasks as children. Only what changed is touched:
   * the index is re-listed after every edit that changes a task, and replacing a
   * 10,000-task file's items each time kept the extension host busy for most of a second.
   */
  update(lists: TasksByUri, files?: ReadonlySet<string>): void {
    const gone: string[] = [];
    this.controller.items.forEach((file) => { if (!lists.has(file.id) && (!files || files.has(file.id))) gone.push(file.id); });
    for (const id of gone) {
      for (const task of this.fileIds.get(id) ?? []) this.byId.delete(task);
      this.fileIds.delete(id);
      this.controller.items.delete(id);
    }
    for (const [uri, list] of lists) if (!files || files.has(uri)) this.updateFile(uri, list);
  }

  private updateFile(uriText: string, tasks: TaskInfo[]): void {
    const uri = vscode.Uri.parse(uriText);
    let file = this.controller.items.get(uriText);
    if (!file) {
      file = this.controller.createTestItem(uriText, vscode.workspace.asRelativePath(uri, false), uri);
      this.controller.items.add(file);
    }
    const keep = new Set<string>();
    for (const t of tasks) {
      const id = itemId(t.uri, t.taskName);
      if (keep.has(id)) continue; // a duplicate name (a diagnostic says so): the first one's item
      keep.add(id);
      if (this.byId.get(id) === t) continue; // the same entry as last time: its item is up to date
      this.byId.set(id, t);
      let item = file.children.get(id);
      if (!item) {
        item = this.controller.createTestItem(id, t.taskName, uri);
        file.children.add(item);
      }
      if (item.range?.start.line !== t.line) item.range = new vscode.Range(t.line, 0, t.line, 0);
      const error = t.problems > 0 ? "This task's decorator has errors (see Problems); it can't run." : undefined;
      if (item.error !== error) item.error = error;
    }
    for (const id of this.fileIds.get(uriText) ?? []) {
      if (keep.has(id)) continue;
      file.children.delete(id);
      this.byId.delete(id);
    }
    this.fileIds.set(uriText, keep);
  }

  /** A run started anywhere but here: it becomes a test run of its task's item. */
  follow(request: RunRequest, instanceId: string, finished: Promise<FinishedRun>): void {
    if (request.origin === 'testing') return;
    const item = this.itemFor(request);
    if (!item) return;
    const run = this.controller.createTestRun(new vscode.TestRunRequest([item]), `${request.taskName} (${request.origin ?? 'run'})`, false);
    run.started(item);
    this.following.set(instanceId, { run, item });
    finished.then((done) => this.report(run, item, done), (err: unknown) => run.errored(item, new vscode.TestMessage(err instanceof Error ? err.message : String(err))))
      .finally(() => { run.end(); setTimeout(() => this.following.delete(instanceId), 1000); });
  }

  private itemFor(request: RunRequest): vscode.TestItem | undefined {
    const uri = request.uri ?? vscode.Uri.file(request.file).toString();
    const id = itemId(uri, request.taskName);
    let found: vscode.TestItem | undefined;
    this.controller.items.forEach((file) => { found ??= file.children.get(id); });
    return found;
  }

  private onEvent(e: LifecycleEvent): void {
    if (e.type !== 'stdout' && e.type !== 'stderr') return;
    const f = this.following.get(e.runId);
    if (!f) return;
    const text = (e.text ?? '').replace(/\r?\n/g, '\r\n');
    f.run.appendOutput(e.type === 'stderr' ? `\x1b[31m${text}\x1b[0m` : text, undefined, f.item);
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, done: FinishedRun): void {
    const env = done.envelope;
    const ms = env.execution.duration_ms;
    const metrics = formatMetrics({ durationMs: ms, fuelConsumed: env.execution.fuel_consumed, peakMemoryBytes: env.execution.ram_used });
    if (done.envelope.state === 'completed') {
      run.appendOutput(`\r\n${done.request.taskName} → ${resultText(env) ?? '(a value JSON cannot show)'} (${metrics})\r\n`, undefined, item);
      run.passed(item, ms);
      return;
    }
    const error = env.error ? errorFrom(env.error) : undefined;
    const kind = outcomeOf({ state: done.envelope.state, error });
    if (kind === 'cancelled') {
      run.appendOutput('\r\ncancelled\r\n', undefined, item);
      run.skipped(item);
      return;
    }
    run.appendOutput(`\r\n${outcomeText({ state: done.envelope.state, error })} (${metrics})\r\n`, undefined, item);
    if (error?.traceback) run.appendOutput(`${error.traceback.replace(/\r?\n/g, '\r\n')}\r\n`, undefined, item);
    run.failed(item, failureMessage(done, item), ms);
  }

  private async run(req: vscode.TestRunRequest, token: vscode.CancellationToken, withArgs: boolean): Promise<void> {
    const run = this.controller.createTestRun(req);
    const started: string[] = [];
    const cancel = token.onCancellationRequested(() => { for (const id of started) this.runner.cancel(id); });
    try {
      for (const item of this.leaves(req)) run.enqueued(item);
      await Promise.all(this.leaves(req).map(async (item) => {
        const task = this.byId.get(item.id)!;
        try {
          let request: RunRequest | undefined;
          if (withArgs) {
            const given = await this.askArgs(task);
            request = given ? { file: vscode.Uri.parse(task.uri).fsPath, taskName: task.taskName, uri: task.uri, ...given } : undefined;
          } else {
            request = await this.requestFor(task);
          }
          if (!request) { run.skipped(item); return; }
          const { instanceId, finished } = await this.runner.start({ ...request, origin: 'testing' });
          started.push(instanceId);
          this.following.set(instanceId, { run, item });
          run.started(item);
          this.report(run, item, await finished);
        } catch (err) {
          run.errored(item, new vscode.TestMessage(err instanceof Error ? err.message : String(err)));
        }
      }));
    } finally {
      cancel.dispose();
      run.end();
    }
  }

  private leaves(req: vscode.TestRunRequest): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    const add = (item: vscode.TestItem) => {
      if (req.exclude?.includes(item)) return;
      if (this.byId.has(item.id)) out.push(item);
      else item.children.forEach(add);
    };
    if (req.include) req.include.forEach(add);
    else this.controller.items.forEach(add);
    return out;
  }

  dispose(): void {
    for (const d of this.subs.splice(0)) d.dispose();
    this.controller.dispose();
  }
}

const itemId = (uri: string, taskName: string) => `${uri}#${taskName}`;

/** The failure: its text, the raising line as location, and the traceback as a stack (innermost first). */
function failureMessage(done: FinishedRun, item: vscode.TestItem): vscode.TestMessage {
  const error = done.envelope.error ? errorFrom(done.envelope.error) : undefined;
  const msg = new vscode.TestMessage(outcomeText({ state: done.envelope.state, error }));
  const frames = error?.frames ?? [];
  const root = projectRoot(done);
  const uriOf = (f: Frame) => (isProjectFrame(f) && root ? vscode.Uri.joinPath(vscode.Uri.file(root), f.file) : undefined);
  const raising = raisingFrame(frames);
  const raisingUri = raising ? uriOf(raising) : undefined;
  if (raising && raisingUri) msg.location = new vscode.Location(raisingUri, new vscode.Position(raising.line - 1, 0));
  else if (item.uri && item.range) msg.location = new vscode.Location(item.uri, item.range.start);
  // TestMessageStackFrame is in VS Code 1.93+; the types this extension builds against are older.
  const StackFrame = (vscode as unknown as { TestMessageStackFrame?: StackFrameCtor }).TestMessageStackFrame;
  if (StackFrame && frames.length) {
    (msg as unknown as { stackTrace: unknown[] }).stackTrace = [...frames].reverse().map((f) => {
      const uri = uriOf(f);
      return new StackFrame(`${f.name} (${f.file}:${f.line})`, uri, uri ? new vscode.Position(f.line - 1, 0) : undefined);
    });
  }
  return msg;
}

/** The project root of a finished run (frames are relative to it). */
function projectRoot(done: FinishedRun): string | undefined {
  return done.projectRoot;
}
