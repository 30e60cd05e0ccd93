// What the lenses above one task say, from what the client knows: a task with a config error
// "⚠ can't run"; a running one "Running… | ■ Cancel"; else run (then "Run on queue" when
// capsule.queue.url is set), run with arguments, the
// server's limits label, and the last result (clickable: it opens the run's details).
// Pure (no vscode); lenses.ts applies it to the server's lenses.
import type { RunInfo } from './runs/model';
import { OUTCOMES, outcomeOf, outcomeText, usageText, type Limits } from './runs/outcome';

export interface LensItem { title: string; command: string; args?: unknown[]; tooltip?: string }

export interface TaskLensState {
  /** The server's lenses for this task, in order (run, run with arguments, labels). */
  server: LensItem[];
  configError: boolean;
  running?: RunInfo;
  last?: RunInfo;
  limits?: Limits;
  /** The queue of capsule.queue.url (as shown: no password), when set: a "Run on queue" lens follows "Run task". */
  queue?: string;
}

export const LensCommands = {
  showDetails: 'capsule.showRunDetails',
  cancel: 'capsule.cancelRun',
  run: 'capsule.runTask',
  runOnQueue: 'capsule.runTaskOnQueue',
  problems: 'workbench.actions.view.problems',
} as const;

/** The server's result label ("✓ 12 ms…" / "✗ …"): the client draws its own from the history. */
const isServerResult = (l: LensItem) => l.command === '' && /^[✓✗]/.test(l.title);
const isConfigLabel = (l: LensItem) => l.command === '' && l.title.startsWith('⚠');

export function lastResultTitle(run: RunInfo, limits?: Limits): string {
  const kind = outcomeOf(run);
  if (kind === 'completed') {
    let value = '';
    if (run.resultJson !== undefined) value = run.resultJson.length > 24 ? ` → ${run.resultJson.slice(0, 23)}…` : ` → ${run.resultJson}`;
    return `✓${value} · ${usageText({ durationMs: run.durationMs, fuelConsumed: run.fuelConsumed }, limits)}`;
  }
  const text = outcomeText(run);
  return `${kind === 'cancelled' ? '⊘' : '✗'} ${text.length > 60 ? `${text.slice(0, 59)}…` : text}`;
}

export function planLenses(s: TaskLensState): LensItem[] {
  if (s.configError) {
    return [{ title: "⚠ can't run", command: LensCommands.problems, tooltip: 'This task\'s decorator has errors (see Problems); other tasks in the file still run.' }];
  }
  if (s.running) {
    return [
      { title: '$(sync~spin) Running…', command: LensCommands.showDetails, args: [s.running.id], tooltip: 'Open this run\'s details' },
      { title: '■ Cancel', command: LensCommands.cancel, args: [{ kind: 'run', run: s.running }] },
    ];
  }
  const out = s.server.filter((l) => !isServerResult(l) && !isConfigLabel(l));
  const run = out.findIndex((l) => l.command === LensCommands.run);
  if (s.queue && run >= 0) {
    out.splice(run + 1, 0, { title: '$(cloud-upload) Run on queue', command: LensCommands.runOnQueue, args: out[run]!.args, tooltip: `Run on the workers of the queue at ${s.queue} (capsule.queue.url)` });
  }
  if (s.last) {
    const kind = outcomeOf(s.last);
    out.push({ title: lastResultTitle(s.last, s.limits), command: LensCommands.showDetails, args: [s.last.id], tooltip: `Last run: ${OUTCOMES[kind].word}. Click for its details.` });
  }
  return out;
}
