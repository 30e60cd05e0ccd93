// Capsule's VS Code client: builds the services, registers every command (they work,
// or say why not, even while the language server is down), then starts the server.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { registerRunCommands } from './commands/run';
import { registerJournalCommands } from './commands/journal';
import { registerRunsCommands } from './commands/runs';
import { registerServerCommands } from './commands/server';
import { readSettings, type Settings } from './config';
import { parseQueueUrl } from '../../runtime/src/queue/url';
import { Ctx } from './ctx';
import { Engines } from './engines';
import { RunOutput } from './output';
import { RunStore } from './runs/model';
import { Runner, type FinishedRun } from './runs/runner';
import type { Services } from './services';
import { reportFinished, reportNotRun } from './notify';
import { RunsView } from './views/runs-view';
import { StatusBar } from './views/status-bar';
import { TasksView } from './views/tasks-view';
import { TaskTests } from './views/testing';
import { RunDiagnostics } from './views/run-diagnostics';
import { DetailsPanel } from './details/panel';
import { planTaskLenses, resolveTaskLens } from './lenses';
import { askArgs, settleArgs } from './commands/run';
import { watchTraces } from './trace-watch';
import { RunOutputDocs } from './run-output-doc';

export interface CapsuleApi {
  /** Milliseconds activate() took. */
  readonly activationMs: number;
  readonly services: Services;
}

let ctx: Ctx | undefined;
let engines: Engines | undefined;

function loadSettings(): Settings {
  const { settings, problems } = readSettings((id) => vscode.workspace.getConfiguration().get(id));
  for (const p of problems) void vscode.window.showWarningMessage(`Capsule: ${p}`, 'Open Settings').then((x) => x && vscode.commands.executeCommand('workbench.action.openSettings', 'capsule'));
  return settings;
}

/** The queue "Run on queue" sends to, without its password; undefined when none is set (the value is checked). */
function queueShown(settings: Settings): string | undefined {
  return settings.queue.url.trim() === '' ? undefined : parseQueueUrl(settings.queue.url).shown;
}

export function activate(context: vscode.ExtensionContext): CapsuleApi {
  const t0 = performance.now();
  let settings = loadSettings();
  const store = new RunStore(settings.history.retention);
  const output = new RunOutput();
  const status = new StatusBar();
  ctx = new Ctx(context, () => settings);
  engines = new Engines(store, () => settings.run.maxConcurrent, () => settings.history.retention, (l) => ctx?.serverLog.warn(l), (l) => output.appendLine(`[capsule] warning: ${l}`));
  const runDiagnostics = new RunDiagnostics();
  const runner = new Runner({
    engineFor: (file, onQueue) => (onQueue ? engines!.queueEngineFor(file, settings.queue.url) : engines!.engineFor(file)),
    store,
    output,
    onFinished: (run: FinishedRun) => reportFinished(s, run, () => s.details?.shownRunId),
    onNotRun: (req, message) => reportNotRun(s, req, message),
    onStarted: (req, id, finished) => {
      runDiagnostics.clearFor(req);
      tests.follow(req, id, finished);
    },
  });
  const s: Services = {
    ctx, store, output, engines, runner, settings: () => settings, activationMs: 0, status, runDiagnostics,
    runsView: new RunsView(store),
    tasksView: new TasksView((since) => ctx!.listTaskChanges(since), (err) => ctx?.serverLog.warn(`listTaskChanges failed: ${err}`)),
  };
  s.details = new DetailsPanel(s);
  s.runsView.setGrouped(context.workspaceState.get<boolean>('capsule.runsGrouped', false));
  s.runOutput = new RunOutputDocs(s);
  const taskRequest = (t: { uri: string; taskName: string }) => ({ file: vscode.Uri.parse(t.uri).fsPath, taskName: t.taskName, uri: t.uri });
  const tests = new TaskTests(
    runner,
    (task) => settleArgs(s, taskRequest(task)),
    (task) => askArgs(s, taskRequest(task), task),
  );
  const lensDeps = { store, tasks: () => s.tasksView.all, queue: () => queueShown(settings) };
  ctx.lensPlan = { provide: (doc, lenses) => planTaskLenses(doc, lenses, lensDeps), resolve: resolveTaskLens };
  // Lenses follow the runs (running, cancelled, last result): re-ask at most every 300 ms.
  // 1.5 s after the last change, ask again where that went unanswered: VS Code drops a
  // scheduled lens refresh when the editor loses focus (the command palette, a view), so a
  // run's end could leave "Running…" on an unfocused editor until it was focused (seen in CI).
  let lensTimer: NodeJS.Timeout | undefined;
  let lensAgain: NodeJS.Timeout | undefined;
  const refreshLenses = () => {
    if (!lensTimer) lensTimer = setTimeout(() => { lensTimer = undefined; ctx!.refreshLenses(); }, 300);
    clearTimeout(lensAgain);
    lensAgain = setTimeout(() => ctx!.refreshUnansweredLenses(), 1500);
  };
  context.subscriptions.push(
    output, status, s.runsView, s.tasksView, tests, engines, runDiagnostics, s.details, s.runOutput,
    store.onChange((changed) => { if (changed.has('') || [...changed].some((id) => !store.get(id)?.parentId)) refreshLenses(); }),
    { dispose: () => { clearTimeout(lensTimer); clearTimeout(lensAgain); } },
    watchTraces(() => void engines!.loadHistory(settings.history.retention)),
    ...registerRunCommands(s), ...registerJournalCommands(s), ...registerRunsCommands(s), ...registerServerCommands(s),
    store.onChange(() => status.setRunning(store.active().length)),
    ctx.onDidChangeServerState((state) => status.setServer(state)),
    ctx.onDidChangeServerStatus((st) => status.setServer(ctx!.serverState, st)),
    ctx.onDidChangeTasks(() => s.tasksView.refresh()),
    // Showing the Capsule views right after a file opens can drop that file's lens request
    // (seen in VS Code 1.100): ask again once the views are shown, where none was answered.
    s.runsView.onDidShow(() => ctx!.refreshMissingLenses()),
    s.tasksView.onDidChangeTasks(({ lists, files }) => tests.update(lists, files)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('capsule')) return;
      const before = settings;
      settings = loadSettings();
      store.setRetention(settings.history.retention);
      // (capsule.trace.server is read by vscode-languageclient itself.)
      if (before.lens.enabled !== settings.lens.enabled || before.queue.url !== settings.queue.url) ctx!.refreshLenses();
    }),
  );
  void ctx.restart();
  // The history is read after activation returns: it needs the engine and the trace file.
  setTimeout(() => void engines!.loadHistory(settings.history.retention), 0);
  s.activationMs = performance.now() - t0;
  ctx.serverLog.info(`Capsule activated in ${s.activationMs.toFixed(1)} ms`);
  return { activationMs: s.activationMs, services: s };
}

export async function deactivate(): Promise<void> {
  await Promise.allSettled([engines?.dispose(), ctx?.shutdown()]);
}
